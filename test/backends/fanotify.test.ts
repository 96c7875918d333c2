// The watch contract for the fanotify back-end (as root: it needs CAP_SYS_ADMIN).
import { test } from 'node:test';
import { createMemoryLogger } from '../../src/log/logger.js';
import { createFanotifyBackend } from '../../src/watch/fanotify/backend.js';
import { probeFanotify } from '../../src/watch/fanotify/instance.js';
import { conformance } from './conformance.js';

const probe = probeFanotify();
if (probe.ok) {
  conformance('fanotify', () => createFanotifyBackend({ logger: createMemoryLogger('info') }));
} else {
  test('fanotify conformance', { skip: `fanotify unavailable here: ${probe.reason}` }, () => {});
}
