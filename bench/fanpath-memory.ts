// The live heap a kernel back-end holds per watched path once its state is whole (fanotify: after
// its background walk, which bench/memory.ts's 2 s wait may not cover): one back-end in this
// process arms one recursive target over a tree of N folders, waits for walked(), collects garbage
// and compares heapUsed with before the arm. Root for fanotify.
// Run: npm run build && node --expose-gc dist/bench/fanpath-memory.js [folders] [inotify|fanotify]
import type { WatchBackend } from '../src/watch/backend.js';
import { createLogger } from '../src/log/logger.js';
import { createInotifyBackend } from '../src/watch/inotify/backend.js';
import { createFanotifyBackend } from '../src/watch/fanotify/backend.js';
import { treeTarget } from './tree-target.js';
import { countPaths } from './trees.js';
import { sharedCubeTree } from './trees.js';

const FOLDERS = Number(process.argv[2] ?? 20_000);
const BACKEND = process.argv[3] ?? 'fanotify';
const gc = (globalThis as { gc?: () => void }).gc;

function heapAfterGc(): number {
  if (gc === undefined) throw new Error('run with node --expose-gc');
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

async function main(): Promise<void> {
  const tree = sharedCubeTree(FOLDERS);
  const paths = countPaths(tree);
  const logger = createLogger({ level: 'warn' });
  const backend: WatchBackend =
    BACKEND === 'inotify' ? createInotifyBackend({ logger }) : createFanotifyBackend({ logger });
  const before = heapAfterGc();
  const armed = await backend.arm(treeTarget(tree, ['close_write']), () => {});
  if (armed.walked !== undefined) await armed.walked();
  const after = heapAfterGc();
  console.log(
    `${BACKEND}: ${paths} paths under ${tree}: heap ${(before / 2 ** 20).toFixed(1)} → ` +
      `${(after / 2 ** 20).toFixed(1)} MiB, ${((after - before) / paths).toFixed(0)} B a path`,
  );
  await armed.disarm();
  await backend.close();
  await logger.close?.();
}

await main();
