// Arm time and CPU of watchtab's inotify back-end on one tree, in this process, then exit (for
// strace and for alternated before/after runs of issue 14's inotify Ready aim). By hand:
//   node dist/bench/inoready-arm.js DIR [--count]   (DIR made with bench/trees.ts's makeCubeTree)
// Prints one line: wall ms from creating the back-end to armed, CPU ms (user+system) in that span,
// and the watch count.
import { cpuUsage } from 'node:process';
import { makeCubeTree } from './trees.js';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const startedAt = performance.timeOrigin;
const cpuMs = (usage: NodeJS.CpuUsage): string => ((usage.user + usage.system) / 1000).toFixed(0);

async function main(): Promise<void> {
  const [dir, make] = process.argv.slice(2);
  if (dir === undefined) throw new Error('usage: inoready-arm.js DIR [COUNT-to-make]');
  if (make !== undefined) {
    if (!existsSync(join(dir, '.complete'))) {
      makeCubeTree(dir, Number(make));
      writeFileSync(join(dir, '.complete'), '');
    }
    return;
  }
  const { createInotifyBackend } = await import('../src/watch/inotify/backend.js');
  const { createLogger } = await import('../src/log/logger.js');
  const { treeTarget } = await import('./tree-target.js');
  const { STAR_EVENTS } = await import('../src/watchtab/entry.js');
  const backend = createInotifyBackend({ logger: createLogger({ level: 'warn' }) });
  const cpu0 = cpuUsage();
  const t0 = performance.now();
  const armed = await backend.arm(treeTarget(dir, STAR_EVENTS), () => {});
  const wall = performance.now() - t0;
  const cpu = cpuUsage(cpu0);
  process.stdout.write(
    `wall ${wall.toFixed(0)} ms cpu ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms ` +
      `(user ${(cpu.user / 1000).toFixed(0)}, sys ${(cpu.system / 1000).toFixed(0)}) ${armed.watchCount()} watches; ` +
      `process ${(performance.now() + performance.timeOrigin - startedAt).toFixed(0)} ms, cpu ${cpuMs(cpuUsage())} ms\n`,
  );
  process.exit(0);
}
await main();
