// inotify arm, before and after a change, against `inotifywait -r -m`, alternated round by round on
// the same trees (issue 14's inotify Ready aim). Each run is its own process; CPU is utime+stime,
// so a shared machine's load shows less in it than in wall time. By hand:
//   node dist/bench/inoready-compare.js ROUNDS BEFORE_DIST AFTER_DIST TREE...
// (BEFORE_DIST/AFTER_DIST: a build's dist folder holding bench/inoready-arm.js.) Prints a table.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

interface Row {
  readonly tool: string;
  readonly tree: string;
  /** Spawn to ready, as seen from here. */
  readonly wallMs: number;
  /** The process's utime+stime at ready (node: its own cpuUsage, start included). */
  readonly cpuMs: number;
  /** Node only: back-end creation to armed, in-process. */
  readonly armMs: number | null;
  readonly armCpuMs: number | null;
}

function cpuTicksMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime, stime in USER_HZ (100)
}

function inotifywait(tree: string): Promise<Row> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('inotifywait', ['-r', '-m', tree], { stdio: ['ignore', 'ignore', 'pipe'] });
    let text = '';
    child.stderr.on('data', (d: Buffer) => {
      text += d.toString();
      if (!text.includes('Watches established')) return;
      const wallMs = performance.now() - t0;
      const cpuMs = cpuTicksMs(child.pid!);
      child.kill('SIGKILL');
      resolve({ tool: 'inotifywait', tree, wallMs, cpuMs, armMs: null, armCpuMs: null });
    });
    child.on('error', reject);
  });
}

function watchtab(tool: string, dist: string, tree: string): Promise<Row> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [`${dist}/bench/inoready-arm.js`, tree], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    child.on('exit', () => {
      const wallMs = performance.now() - t0;
      const m = /wall (\d+) ms cpu (\d+) ms .* process \d+ ms, cpu (\d+) ms/.exec(text);
      if (m === null) return reject(new Error(`${tool}: ${text}`));
      resolve({ tool, tree, wallMs, cpuMs: Number(m[3]), armMs: Number(m[1]), armCpuMs: Number(m[2]) });
    });
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const [roundsText, before, after, ...trees] = process.argv.slice(2);
  if (roundsText === undefined || before === undefined || after === undefined || trees.length === 0)
    throw new Error('usage: inoready-compare.js ROUNDS BEFORE_DIST AFTER_DIST TREE...');
  const rows: Row[] = [];
  for (const tree of trees)
    for (let round = 0; round < Number(roundsText); round++) {
      rows.push(await inotifywait(tree));
      rows.push(await watchtab('before', before, tree));
      rows.push(await watchtab('after', after, tree));
      const last = rows.slice(-3);
      process.stderr.write(
        `${tree} round ${round}: ${last.map((r) => `${r.tool} ${r.wallMs.toFixed(0)}/${r.cpuMs}`).join(', ')}\n`,
      );
    }
  console.log(
    '| tree | tool | runs | spawn→ready ms (median) | CPU ms at ready (median) | arm ms in-process | arm CPU ms |',
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const tree of trees)
    for (const tool of ['inotifywait', 'before', 'after']) {
      const mine = rows.filter((r) => r.tree === tree && r.tool === tool);
      const arm = mine.filter((r) => r.armMs !== null);
      console.log(
        `| ${tree} | ${tool} | ${mine.length} | ${median(mine.map((r) => r.wallMs)).toFixed(0)} | ` +
          `${median(mine.map((r) => r.cpuMs)).toFixed(0)} | ` +
          `${arm.length ? median(arm.map((r) => r.armMs!)).toFixed(0) : '—'} | ` +
          `${arm.length ? median(arm.map((r) => r.armCpuMs!)).toFixed(0) : '—'} |`,
      );
    }
}
await main();
