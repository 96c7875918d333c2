// Live reload of the real daemon: every way a watchtab changes (in place, by rename, deleted and
// made again, a drop-in added, a broken edit, a refused mode fixed, SIGHUP), and the promise that
// entries whose definition did not change keep their running process.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import { isRunning, readLines, readPid, startDaemon, type RunningDaemon } from '../helpers/daemon.js';

interface Fixture {
  readonly dir: string;
  readonly tab: string;
  readonly daemon: RunningDaemon;
}

/** A classic entry: on `create` in DIR/NAME, append "NAME PATH" to DIR/out. */
function entry(dir: string, name: string): string {
  return `${join(dir, name)}\tcreate\techo "${name} $WATCHTAB_PATH" >> ${join(dir, 'out')}\n`;
}

async function start(t: TestContext, content: (dir: string) => string): Promise<Fixture> {
  const dir = await tempDir(t);
  for (const name of ['a', 'b', 'c']) await mkdir(join(dir, name));
  const tab = join(dir, 'watchtab');
  await writeFile(tab, content(dir));
  const daemon = startDaemon(t, { args: ['--watchtab', tab, '--socket', join(dir, 'status.sock')] });
  await daemon.waitForLine(/\bready\b/);
  return { dir, tab, daemon };
}

/** Creates a file in DIR/NAME and waits for the entry watching it to report it. */
async function expectFires(f: Fixture, name: string, file: string): Promise<void> {
  const path = join(f.dir, name, file);
  await writeFile(path, '');
  await waitFor(
    () => readLines(join(f.dir, 'out')),
    (l) => l.includes(`${name} ${path}`),
    {
      withinMs: 10_000,
      what: `entry ${name} to run for ${path}`,
    },
  );
}

/** Shows an entry does not fire: a later marker from another entry arrives, and it did not. */
async function expectSilent(f: Fixture, name: string, file: string, marker: string): Promise<void> {
  await writeFile(join(f.dir, name, file), '');
  await expectFires(f, marker, `${file}-marker`);
  const out = await readLines(join(f.dir, 'out'));
  assert.ok(!out.includes(`${name} ${join(f.dir, name, file)}`), `entry ${name} ran:\n${out.join('\n')}`);
}

function reloadsSoFar(f: Fixture): number {
  return f.daemon.lines.length;
}

test('an in-place edit adds an entry; the unchanged entry keeps its running process', async (t) => {
  const f = await start(
    t,
    (dir) => `${join(dir, 'a')}\tcreate\techo $$ > ${join(dir, 'a.pid')}; exec sleep 300\n`,
  );
  await writeFile(join(f.dir, 'a', 'go'), '');
  const pid = await readPid(join(f.dir, 'a.pid'));
  // The fixture ends the daemon with SIGKILL, which leaves its commands running (as a crash does).
  t.after(() => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  });
  const from = reloadsSoFar(f);
  // Same first line, so entry "watchtab:1" keeps its definition and name.
  await writeFile(f.tab, `${await readFile(f.tab, 'utf8')}${entry(f.dir, 'b')}`);
  await f.daemon.waitForLine(/\breloaded\b.*added/, { fromLine: from });
  await expectFires(f, 'b', 'x');
  assert.ok(await isRunning(pid), "the kept entry's command was stopped by the reload");
  assert.equal(
    (await readFile(join(f.dir, 'a.pid'), 'utf8')).trim(),
    String(pid),
    'the kept entry ran again',
  );
  // A clean stop ends the kept command too (a SIGKILLed daemon would leave it running).
  assert.equal(await f.daemon.stop(), 0);
});

test('a save by rename (as editors do) is seen, and a removed entry stops triggering', async (t) => {
  const f = await start(t, (dir) => entry(dir, 'a') + entry(dir, 'b'));
  await expectFires(f, 'a', 'first');
  const from = reloadsSoFar(f);
  const temp = `${f.tab}.tmp`;
  await writeFile(temp, entry(f.dir, 'b'));
  await rename(temp, f.tab);
  await f.daemon.waitForLine(/\breloaded\b/, { fromLine: from });
  await expectSilent(f, 'a', 'second', 'b');
});

test('a watchtab deleted and made again is followed both times', async (t) => {
  const f = await start(t, (dir) => entry(dir, 'a'));
  let from = reloadsSoFar(f);
  await rm(f.tab);
  await f.daemon.waitForLine(/\breloaded\b/, { fromLine: from });
  from = reloadsSoFar(f);
  await writeFile(f.tab, entry(f.dir, 'c'));
  await f.daemon.waitForLine(/\breloaded\b/, { fromLine: from });
  await expectFires(f, 'c', 'x');
  await expectSilent(f, 'a', 'y', 'c');
});

test('a broken edit is logged with its line and the previous entries stay in force', async (t) => {
  const f = await start(t, (dir) => entry(dir, 'a'));
  const from = reloadsSoFar(f);
  await writeFile(f.tab, `${entry(f.dir, 'b')}${join(f.dir, 'c')}\tnot_an_event\ttrue\n`);
  const problem = await f.daemon.waitForLine(/not_an_event/, { fromLine: from });
  assert.ok(problem.includes(`${f.tab}:2`), problem);
  await f.daemon.waitForLine(/previous entries stay in force/, { fromLine: from });
  await expectFires(f, 'a', 'still');
  await expectSilent(f, 'b', 'never', 'a');
});

test('a drop-in file added to FILE.d/ is loaded, and an editor swap file there is ignored', async (t) => {
  const f = await start(t, (dir) => entry(dir, 'a'));
  const dropIns = `${f.tab}.d`;
  let from = reloadsSoFar(f);
  await mkdir(dropIns);
  await f.daemon.waitForLine(/\breloaded\b/, { fromLine: from });
  from = reloadsSoFar(f);
  await writeFile(join(dropIns, '.site.yaml.swp'), 'garbage');
  await writeFile(join(dropIns, 'site.tab'), entry(f.dir, 'b'));
  await f.daemon.waitForLine(/\breloaded\b.*added/, { fromLine: from });
  await expectFires(f, 'b', 'x');
  assert.ok(!f.daemon.lines.slice(from).some((l) => l.includes('.swp')), 'the swap file was read');
});

test('as root, a drop-in writable by others is refused until its mode is fixed', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('the ownership rule applies only when watchtabd runs as root');
  const f = await start(t, (dir) => entry(dir, 'a'));
  const dropIns = `${f.tab}.d`;
  await mkdir(dropIns);
  const file = join(dropIns, 'site.tab');
  // Made writable by others before it arrives, so no trusted version of it was ever loaded.
  const staged = join(f.dir, 'site.tab');
  await writeFile(staged, entry(f.dir, 'b'));
  await chmod(staged, 0o666);
  let from = reloadsSoFar(f);
  await rename(staged, file);
  await f.daemon.waitForLine(/refused/, { fromLine: from });
  await expectSilent(f, 'b', 'refused', 'a');
  from = reloadsSoFar(f);
  await chmod(file, 0o644);
  await f.daemon.waitForLine(/\breloaded\b.*added/, { fromLine: from });
  await expectFires(f, 'b', 'fixed');
});

test('SIGHUP reloads', async (t) => {
  const f = await start(t, (dir) => entry(dir, 'a'));
  const from = reloadsSoFar(f);
  f.daemon.child.kill('SIGHUP');
  await f.daemon.waitForLine(/SIGHUP/, { fromLine: from });
  await f.daemon.waitForLine(/\breloaded\b/, { fromLine: from });
  await expectFires(f, 'a', 'after-hup');
  assert.equal(await f.daemon.stop(), 0);
});
