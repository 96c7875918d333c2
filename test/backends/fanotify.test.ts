// The watch contract for the fanotify back-end (as root: it needs CAP_SYS_ADMIN).
import { test } from 'node:test';
import { createMemoryLogger } from '../../src/log/logger.js';
import { createFanotifyBackend, FANOTIFY_CAN } from '../../src/watch/fanotify/backend.js';
import { probeFanotify } from '../../src/watch/fanotify/instance.js';
import { conformance } from './conformance.js';

const probe = probeFanotify();
if (probe.ok) {
  // Its file-system mark reports the name a change was made through (FANOTIFY_CAN.seesOtherNames):
  // an inode mark per file entry, resolved back to the entry's path, is not done yet.
  conformance('fanotify', () => createFanotifyBackend({ logger: createMemoryLogger('info') }), FANOTIFY_CAN);
} else {
  test('fanotify conformance', { skip: `fanotify unavailable here: ${probe.reason}` }, () => {});
}
