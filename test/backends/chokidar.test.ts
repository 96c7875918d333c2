// The watch contract for the chokidar fall-back (used where ffi-rs cannot load): the shared
// conformance suite, without what it cannot know (which delete and create were one rename, a file
// gone before its state is read, a change right after another: see the capabilities).
import { createMemoryLogger } from '../../src/log/logger.js';
import { createChokidarBackend, CHOKIDAR_CAN } from '../../src/watch/chokidar/backend.js';
import { conformance } from './conformance.js';

conformance(
  'chokidar',
  (t) => {
    const backend = createChokidarBackend({ logger: createMemoryLogger() });
    t.after(() => backend.close());
    return backend;
  },
  CHOKIDAR_CAN,
);
