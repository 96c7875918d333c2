// One save is one run, with the default settings, for inotify and fanotify: `echo >>`, `sed -i` and
// a write-to-temp-then-rename save each make exactly one run (a later marker runs alone: nothing
// more came), and a close_write-only entry is never held (its stage trace shows no hold).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { renameSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { probeFanotify } from '../../src/watch/fanotify/instance.js';
import { startDaemon, readLines, type RunningDaemon } from '../helpers/daemon.js';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';

const isRoot = process.getuid?.() === 0;
const fanotify = isRoot ? probeFanotify() : null;
const fanotifySkip =
  fanotify === null
    ? 'needs root: fanotify'
    : fanotify.ok
      ? false
      : `fanotify unavailable here: ${fanotify.reason}`;

const BACKENDS = [
  { backend: 'inotify', skip: false as const },
  { backend: 'fanotify', skip: fanotifySkip },
];

/** How each kind of writer saves `target` (the temp files it uses are not watched paths). */
const SAVES: Readonly<Record<string, (target: string) => void>> = {
  'echo >>': (target) => execFileSync('/bin/sh', ['-c', 'echo more >> "$1"', 'sh', target]),
  'sed -i': (target) => execFileSync('sed', ['-i', 's/a/b/', target]),
  'temp + rename': (target) => {
    const temp = `${target}.tmp~`;
    writeFileSync(temp, 'saved\n');
    renameSync(temp, target);
  },
};

interface Setup {
  readonly inbox: string;
  readonly out: string;
  readonly trace: string;
  readonly daemon: RunningDaemon;
}

/** One entry on `inbox/{target,marker}` with the given events and every other setting at its default. */
async function daemonFor(t: TestContext, backend: string, events: string): Promise<Setup> {
  const dir = await tempDir(t);
  const inbox = join(dir, 'inbox');
  await mkdir(inbox);
  await writeFile(join(inbox, 'target'), 'a\n');
  await writeFile(join(inbox, 'marker'), '');
  const out = join(dir, 'out');
  const trace = join(dir, 'trace');
  const tab = join(dir, 'watchtab.yaml');
  await writeFile(
    tab,
    `entries:\n  - name: saves\n    path: ${inbox}/{target,marker}\n    events: ${events}\n` +
      `    backend: ${backend}\n    env: { OUT: ${out} }\n` +
      `    command: 'echo "$(basename "$WATCHTAB_PATH") $WATCHTAB_COUNT $WATCHTAB_EVENT" >> "$OUT"'\n`,
  );
  const daemon = startDaemon(t, {
    args: ['--watchtab', tab],
    env: { ...process.env, WATCHTAB_TRACE_STAGES: trace },
  });
  await daemon.waitForLine(/\bready\b/);
  return { inbox, out, trace, daemon };
}

function linesUntil(out: string, count: number, what: string): Promise<string[]> {
  return waitFor(
    () => readLines(out),
    (l) => l.length >= count,
    { withinMs: 10_000, what },
  );
}

/** The marker's own run, alone (count 1): had the save queued a second run, the marker would fold into it or follow it. */
async function markerRunsAlone(f: Setup, before: number): Promise<string[]> {
  execFileSync('/bin/sh', ['-c', 'echo m >> "$1"', 'sh', join(f.inbox, 'marker')]);
  const lines = await waitFor(
    () => readLines(f.out),
    (l) => l.some((line) => line.startsWith('marker ')),
    { withinMs: 10_000, what: 'the marker run' },
  );
  assert.equal(lines.length, before + 1, `runs: ${JSON.stringify(lines)}`);
  assert.match(lines.at(-1) ?? '', /^marker 1 /);
  return lines;
}

/** The stage trace the daemon writes at exit: [stage, detail] in order. */
async function stagesOf(f: Setup): Promise<[string, string][]> {
  assert.equal(await f.daemon.stop(), 0);
  const text = await readFile(f.trace, 'utf8');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [stage = '', , detail = ''] = l.split(' ');
      return [stage, detail];
    });
}

for (const { backend, skip } of BACKENDS) {
  for (const [writer, save] of Object.entries(SAVES)) {
    test(
      `${backend}: one ${writer} save is one run, with write and close_write folded`,
      { skip },
      async (t) => {
        const f = await daemonFor(t, backend, "'*'");
        save(join(f.inbox, 'target'));
        const [first] = await linesUntil(f.out, 1, 'the save to run');
        assert.match(first ?? '', /^target 1 /);
        const events = (first ?? '').split(' ')[2]?.split(',') ?? [];
        assert.ok(events.includes('write') && events.includes('close_write'), `events: ${first}`);
        await markerRunsAlone(f, 1);
        const stages = await stagesOf(f);
        // Never ended by the bound: every hold was ended by the writer's close.
        assert.deepEqual(
          stages.filter(([s]) => s === 'held').map(([, d]) => d),
          stages.filter(([s]) => s === 'hold').map(() => 'closed'),
        );
      },
    );
  }

  test(
    `${backend}: a close_write-only entry is never held: its spawn follows its trigger with no read between`,
    { skip },
    async (t) => {
      const f = await daemonFor(t, backend, '[close_write]');
      for (let i = 1; i <= 3; i += 1) {
        execFileSync('/bin/sh', ['-c', 'echo more >> "$1"', 'sh', join(f.inbox, 'target')]);
        await linesUntil(f.out, i, `run ${i}`);
      }
      await markerRunsAlone(f, 3);
      const stages = await stagesOf(f);
      assert.equal(stages.filter(([s]) => s === 'hold' || s === 'held').length, 0);
      const path = stages.map(([s]) => s).filter((s) => s === 'read' || s === 'slot' || s === 'spawn-call');
      const slots = path.flatMap((s, i) => (s === 'slot' ? [path[i + 1]] : []));
      assert.deepEqual(slots, ['spawn-call', 'spawn-call', 'spawn-call', 'spawn-call']);
    },
  );
}
