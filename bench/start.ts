// Start-up: how long each `watchtab` sub-command takes from spawn to exit, and `watchtabd` from
// spawn to its `ready` log line with watchtab.example, beside `node -e 0` in the same run (the
// commands interleaved round by round, the median of the rounds). The aims (issue 14): the daemon
// ready within 150 ms; every sub-command within 1.3× `node -e 0`. By hand or from `npm run bench`:
//   npm run build && node dist/bench/start.js [--rounds 20] [--json FILE] [--root DIR] [--before DIR]
// (--before: a second built tree, e.g. main's, timed in the same rounds: its rows are marked [before].)
// (--root: another checkout's built tree, e.g. to compare with main; its watchtab.example is used,
// and its programs are the files its package.json's `bin` names: what that tree ships.)
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}
const ROUNDS = Number(option('--rounds') ?? 20);
const JSON_OUT = option('--json');
const ROOT = option('--root') ?? fileURLToPath(new URL('../../', import.meta.url));
/** Another built tree (e.g. main's) timed in the same rounds, interleaved command by command. */
const BEFORE = option('--before');

/** The programs a built tree ships: the files its package.json's `bin` names. */
function programsOf(root: string): { readonly watchtab: string; readonly watchtabd: string } {
  const bin = (
    JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: Record<string, string> }
  ).bin;
  const program = (name: string): string => {
    const file = bin[name];
    if (file === undefined) throw new Error(`${root}/package.json has no bin named ${name}`);
    return join(root, file);
  };
  return { watchtab: program('watchtab'), watchtabd: program('watchtabd') };
}

interface Probe {
  readonly name: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** Ends at this stderr line (then the process is killed) instead of at exit. */
  readonly until?: RegExp;
}

/** Milliseconds from spawn to exit (or to the `until` line). */
function time(probe: Probe): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, probe.args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: probe.env ?? process.env,
    });
    const elapsed = (): number => Number(process.hrtime.bigint() - started) / 1e6;
    let text = '';
    let at: number | null = null;
    child.stderr.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      if (at === null && probe.until?.test(text) === true) {
        at = elapsed();
        child.kill('SIGTERM');
      }
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (probe.until !== undefined && at === null)
        return reject(new Error(`${probe.name} exited (${code}) before ${probe.until}:\n${text}`));
      if (probe.until === undefined && code !== 0)
        return reject(new Error(`${probe.name} exited ${code}:\n${text}`));
      resolve(at ?? elapsed());
    });
  });
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

async function main(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'watchtab-start-'));
  try {
    // A copy of the example, so WATCHTAB_DIR points into the scratch folder and nothing is written in the tree.
    const tab = join(scratch, 'watchtab.example');
    cpSync(join(ROOT, 'watchtab.example'), tab);
    cpSync(join(ROOT, 'watchtab.example.d'), `${tab}.d`, { recursive: true });
    cpSync(join(ROOT, 'demo'), join(scratch, 'demo'), { recursive: true });
    const editCopy = join(scratch, 'edit-me');
    writeFileSync(editCopy, '/tmp\tclose_write\ttrue\n');
    const trees =
      BEFORE === undefined
        ? [{ tag: '', root: ROOT }]
        : [
            { tag: ' [before]', root: BEFORE },
            { tag: '', root: ROOT },
          ];
    let n = 0;
    const daemonArgs = (watchtabd: string): string[] => {
      n += 1;
      return [
        watchtabd,
        '--watchtab',
        tab,
        '--state-dir',
        join(scratch, `state-${n}`),
        '--socket',
        join(scratch, `d-${n}.sock`),
      ];
    };
    // A daemon for `watchtab status` to ask (its own socket; this tree's daemon for both trees).
    const statusSocket = join(scratch, 'status.sock');
    const server = spawn(
      process.execPath,
      [
        programsOf(ROOT).watchtabd,
        '--watchtab',
        tab,
        '--state-dir',
        join(scratch, 'state-s'),
        '--socket',
        statusSocket,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    await new Promise<void>((resolve) => {
      let text = '';
      server.stderr.on('data', (c: Buffer) => {
        text += c.toString('utf8');
        if (/\bready\b/.test(text)) resolve();
      });
    });
    const probes: (Probe | (() => Probe))[] = [{ name: 'node -e 0', args: ['-e', '0'] }];
    for (const { tag, root } of trees) {
      const { watchtab, watchtabd } = programsOf(root);
      probes.push(
        { name: `watchtab --version${tag}`, args: [watchtab, '--version'] },
        { name: `watchtab --help${tag}`, args: [watchtab, '--help'] },
        { name: `watchtab check${tag}`, args: [watchtab, 'check', tab] },
        { name: `watchtab list${tag}`, args: [watchtab, 'list', tab] },
        {
          name: `watchtab events (to watching)${tag}`,
          args: [watchtab, 'events', scratch],
          until: /watching/i,
        },
        {
          name: `watchtab edit (EDITOR=true)${tag}`,
          args: [watchtab, 'edit', editCopy],
          env: { ...process.env, VISUAL: 'true', EDITOR: 'true' },
        },
        { name: `watchtab status${tag}`, args: [watchtab, 'status', '--socket', statusSocket] },
        { name: `watchtabd --version${tag}`, args: [watchtabd, '--version'] },
        () => ({ name: `watchtabd (to ready)${tag}`, args: daemonArgs(watchtabd), until: /\bready\b/ }),
      );
    }
    const times = new Map<string, number[]>();
    try {
      for (let round = 0; round < ROUNDS; round += 1) {
        for (const p of probes) {
          const probe = typeof p === 'function' ? p() : p;
          const ms = await time(probe);
          times.set(probe.name, [...(times.get(probe.name) ?? []), ms]);
        }
      }
    } finally {
      server.kill('SIGTERM');
    }
    const base = median(times.get('node -e 0') ?? []);
    const rows = [...times].map(([name, ms]) => {
      const med = median(ms);
      const aim = name.startsWith('watchtabd (to ready)')
        ? med <= 150
        : name === 'node -e 0' || med <= 1.3 * base;
      return { name, medianMs: med, minMs: Math.min(...ms), ratio: med / base, aimMet: aim };
    });
    console.log(
      `# ${new Date().toISOString()} node ${process.version}, ${cpus().length}× ${cpus()[0]?.model ?? '?'}, ` +
        `Linux ${release()}${BEFORE === undefined ? '' : `, [before] = ${BEFORE}`}, load ${loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')}, ${ROUNDS} rounds`,
    );
    console.log('| command | median (ms) | min (ms) | × node -e 0 | aim |');
    console.log('| --- | ---: | ---: | ---: | --- |');
    for (const r of rows) {
      const aim = r.name === 'node -e 0' ? '' : r.name.startsWith('watchtabd (to') ? '≤ 150 ms' : '≤ 1.3×';
      console.log(
        `| ${r.name} | ${r.medianMs.toFixed(1)} | ${r.minMs.toFixed(1)} | ${r.ratio.toFixed(2)} | ${aim}${aim === '' ? '' : r.aimMet ? ' met' : ' missed'} |`,
      );
    }
    if (JSON_OUT !== undefined) writeFileSync(JSON_OUT, JSON.stringify({ date: new Date(), rows }, null, 2));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
