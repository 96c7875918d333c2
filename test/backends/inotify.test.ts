// The watch contract for the inotify back-end, then what only inotify has: kernel watch counts,
// queue overflow, the watch budget, retries.
import { createMemoryLogger } from '../../src/log/logger.js';
import { createInotifyBackend } from '../../src/watch/inotify/backend.js';
import { conformance } from './conformance.js';

conformance('inotify', () => createInotifyBackend({ logger: createMemoryLogger('info') }));
