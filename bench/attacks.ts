// Issue 11's attacks against the real built daemon, the attacker's side run as nobody: for each,
// the worst `status` round-trip and the worst delay of another entry's run while it goes on (and
// once it stopped), and whether SIGTERM ends the daemon with 0, per back-end where it applies.
// As root: `node dist/bench/attacks.js [ATTACK…]` (BENCH_SECONDS per attack, default 5;
// BENCH_BACKENDS, default inotify,fanotify,poll; BENCH_NODE_ARGS for the daemon, e.g. --cpu-prof).
import { spawn, spawnSync } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { readStatus } from '../src/daemon/status-server.js';
import {
  DASH_NAMES_FLOOD,
  DEEP_PATH,
  FIFO_SWAP,
  NOBODY,
  ODD_NAMES_LOOP,
  RENAME_FLOOD,
  attackAsNobody,
  type Attack,
} from '../test/helpers/attacks.js';

const DAEMON_JS = fileURLToPath(new URL('../bin/watchtabd.js', import.meta.url));
const ATTACK_MS = Number(process.env['BENCH_SECONDS'] ?? 5) * 1000;
const BACKENDS = (process.env['BENCH_BACKENDS'] ?? 'inotify,fanotify,poll').split(',');
const NODE_ARGS = (process.env['BENCH_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== '');
/** The responsiveness bound of issue 11 ("Done when"). */
const BOUND_MS = 2000;
/** How long a measurement waits before it counts as "no answer" (far past the bound). */
const GIVE_UP_MS = 60_000;

type Backend = 'inotify' | 'fanotify' | 'poll';
type Stoppable = Pick<Attack, 'stop'>;

/** Where an attack plays: `watched` is nobody's; the other entry watches `other`. */
interface Place {
  readonly dir: string;
  readonly watched: string;
  readonly other: string;
}

interface AttackPlan {
  readonly name: string;
  readonly backends: readonly Backend[];
  /** The attacked entry's path (below `watched`), events and extra keys. */
  entry(watched: string): string;
  /** On a tmpfs of its own (so a fanotify mark sees only it). */
  readonly ownFs?: boolean;
  /** Starts the attack; stop() ends it. */
  start(place: Place): Stoppable[];
}

const nodeE = (script: string, ...args: string[]): string[] => [process.execPath, '-e', script, ...args];

const PLANS: readonly AttackPlan[] = [
  {
    name: 'fifo-swap',
    backends: ['inotify', 'fanotify', 'poll'],
    entry: (w) => `path: ${w}/*\n    events: [write, close_write]\n    content-only: true\n`,
    start: (p) => [attackAsNobody(p.watched, nodeE(FIFO_SWAP))],
  },
  {
    name: 'sparse-20g',
    backends: ['inotify', 'fanotify', 'poll'],
    entry: (w) => `path: ${w}/*\n    events: [write, close_write]\n    content-only: true\n`,
    start: (p) => [
      attackAsNobody(p.watched, [
        'bash',
        '-c',
        'while :; do truncate -s 20G big; truncate -s 1K small; sleep 0.05; done',
      ]),
    ],
  },
  {
    name: 'dash-names',
    backends: ['inotify', 'fanotify', 'poll'],
    entry: (w) => `path: ${w}/**/*-*-*-*-*.log\n    events: [close_write]\n`,
    start: (p) => [attackAsNobody(p.watched, nodeE(DASH_NAMES_FLOOD, p.watched, String(ATTACK_MS * 10)))],
  },
  {
    name: 'deep-path',
    backends: ['inotify', 'fanotify', 'poll'],
    entry: (w) => `path: ${w}/**\n    events: [create]\n`,
    start: (p) => [
      attackAsNobody(p.watched, [
        'bash',
        '-c',
        `exec 2>/dev/null; while :; do d=$(mktemp -d -p .) || exit 1; (cd "$d" && ${DEEP_PATH}); rm -rf "$d"; done`,
      ]),
    ],
  },
  {
    name: 'odd-names',
    backends: ['inotify', 'fanotify', 'poll'],
    entry: (w) => `path: ${w}/**\n    events: [create, close_write]\n`,
    start: (p) => [attackAsNobody(p.watched, ['perl', '-e', ODD_NAMES_LOOP])],
  },
  {
    name: 'rename-flood',
    backends: ['inotify', 'fanotify', 'poll'],
    ownFs: true,
    entry: (w) => `path: ${w}/**\n    events: [create]\n`,
    start: (p) => ['1', '2'].map((tag) => attackAsNobody(p.watched, ['perl', '-e', RENAME_FLOOD, tag])),
  },
  {
    name: 'silent-clients',
    backends: ['inotify'],
    entry: (w) => `path: ${w}/*\n    events: [create]\n`,
    start: (p) => [silentClients(join(p.dir, 's.sock'), 40)],
  },
];

/**
 * Clients that connect to the status socket and never read nor send. The socket is root's (0600),
 * so these are root's: nobody cannot connect at all (test/e2e/status-socket.test.ts).
 */
function silentClients(socket: string, count: number): Stoppable {
  const clients: Socket[] = [];
  let isOn = true;
  const keep = (): void => {
    if (!isOn) return;
    const client = createConnection(socket);
    client.pause();
    client.on('error', () => undefined);
    client.on('close', () => setTimeout(keep, 10)); // dropped by the daemon: connect again
    clients.push(client);
  };
  for (let i = 0; i < count; i += 1) keep();
  return {
    async stop() {
      isOn = false;
      for (const c of clients) c.destroy();
    },
  };
}

interface Row {
  readonly attack: string;
  readonly backend: Backend;
  readonly rounds: number;
  readonly statusMs: number;
  readonly runMs: number;
  readonly afterStatusMs: number;
  readonly afterRunMs: number;
  readonly exit: string;
}

async function place(plan: AttackPlan): Promise<Place & { cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'watchtab-attack-'));
  await chmod(dir, 0o711); // nobody may reach watched/ and nothing else
  let root = dir;
  let isMounted = false;
  if (plan.ownFs === true) {
    root = join(dir, 'fs');
    await mkdir(root);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16m,mode=0755', 'tmpfs', root]);
    if (mounted.status !== 0) throw new Error(`cannot mount a tmpfs: ${mounted.stderr.toString()}`);
    isMounted = true;
  }
  const watched = join(root, 'watched');
  const other = join(root, 'other');
  await mkdir(watched);
  await mkdir(other);
  await chown(watched, NOBODY, NOBODY);
  return {
    dir,
    watched,
    other,
    async cleanup() {
      if (isMounted) spawnSync('umount', ['-l', root]);
      spawnSync('rm', ['-rf', dir]); // rm(1): node's rm cannot remove a path over PATH_MAX
    },
  };
}

async function measureRound(
  socket: string,
  other: string,
  out: string,
  round: number,
): Promise<[number, number]> {
  const asked = performance.now();
  await readStatus(socket, GIVE_UP_MS);
  const statusMs = performance.now() - asked;
  const file = join(other, `f${round}`);
  const written = performance.now();
  await writeFile(file, 'x');
  for (;;) {
    const text = await readFile(out, 'utf8').catch(() => '');
    if (text.split('\n').includes(file)) break;
    if (performance.now() - written > GIVE_UP_MS)
      throw new Error(`no run for ${file} within ${GIVE_UP_MS} ms`);
    await sleep(5);
  }
  return [statusMs, performance.now() - written];
}

async function play(plan: AttackPlan, backend: Backend): Promise<Row> {
  const p = await place(plan);
  const socket = join(p.dir, 's.sock');
  const out = join(p.dir, 'other.out');
  const keys = `    backend: ${backend}\n${backend === 'poll' ? '    poll-interval: 0.1\n' : ''}`;
  const tab = join(p.dir, 'watchtab.yaml');
  await writeFile(
    tab,
    'entries:\n' +
      `  - name: attacked\n    ${plan.entry(p.watched)}${keys}    command: 'true'\n` +
      `  - name: other\n    path: ${p.other}/*\n    events: [close_write]\n${keys}` +
      `    command: 'printf "%s\\n" "$WATCHTAB_PATH" >> ${out}'\n`,
  );
  const daemon = spawn(
    process.execPath,
    [...NODE_ARGS, DAEMON_JS, '--watchtab', tab, '--socket', socket, '--state-dir', join(p.dir, 'state')],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  daemon.stderr.on('data', (c: Buffer) => (log += c.toString('utf8')));
  const exited = new Promise<string>((resolve) =>
    daemon.once('exit', (code, signal) => resolve(signal === null ? String(code) : signal)),
  );
  let attacks: Stoppable[] = [];
  try {
    for (const started = Date.now(); !/\bready\b/.test(log); await sleep(20))
      if (Date.now() - started > GIVE_UP_MS) throw new Error(`no ready:\n${log}`);
    attacks = plan.start(p);
    const during: [number, number][] = [];
    const ends = Date.now() + ATTACK_MS;
    let round = 0;
    for (; Date.now() < ends; round += 1) during.push(await measureRound(socket, p.other, out, round));
    await Promise.all(attacks.map((a) => a.stop()));
    const [afterStatusMs, afterRunMs] = await measureRound(socket, p.other, out, round);
    daemon.kill('SIGTERM');
    const exit = await Promise.race([exited, sleep(GIVE_UP_MS).then(() => 'none within 60 s')]);
    return {
      attack: plan.name,
      backend,
      rounds: during.length,
      statusMs: Math.max(...during.map((d) => d[0])),
      runMs: Math.max(...during.map((d) => d[1])),
      afterStatusMs,
      afterRunMs,
      exit,
    };
  } finally {
    await Promise.all(attacks.map((a) => a.stop()));
    if (daemon.exitCode === null && daemon.signalCode === null) daemon.kill('SIGKILL');
    await exited;
    await p.cleanup();
  }
}

const ms = (n: number): string => n.toFixed(0);

function line(r: Row): string {
  const isMet = r.statusMs <= BOUND_MS && r.runMs <= BOUND_MS && r.afterRunMs <= BOUND_MS && r.exit === '0';
  return (
    `| ${r.attack} | ${r.backend} | ${r.rounds} | ${ms(r.statusMs)} | ${ms(r.runMs)} | ` +
    `${ms(r.afterStatusMs)} / ${ms(r.afterRunMs)} | ${r.exit} | ${isMet ? 'met' : 'not met'} |`
  );
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run as root: the daemon as root, the attacker as nobody');
  const wanted = process.argv.slice(2);
  console.log(
    '| attack | back-end | rounds | worst status ms | worst other run ms | after: status / run ms | SIGTERM exit | 2 s bound |',
  );
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const plan of PLANS) {
    if (wanted.length > 0 && !wanted.includes(plan.name)) continue;
    for (const backend of plan.backends) {
      if (!BACKENDS.includes(backend)) continue;
      try {
        console.log(line(await play(plan, backend)));
      } catch (error) {
        console.log(`| ${plan.name} | ${backend} | failed: ${(error as Error).message.split('\n')[0]} |`);
      }
    }
  }
}

await main();
