// Every sentence a user reads lives under log/messages/: one file per concern, gathered here, so
// wording is reviewed in one place (as filewatcherd's log.c and fastify's lib/errors.js do).
export * from './messages/watchtab.js';
export * from './messages/watch.js';
export * from './messages/watch-kernel.js';
export * from './messages/watch-poll.js';
export * from './messages/watch-fanotify.js';
export * from './messages/run.js';
export * from './messages/daemon.js';
export * from './messages/state.js';
export * from './messages/log.js';
export * from './messages/edit.js';
export * from './messages/system.js';
