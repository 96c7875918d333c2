// Both programs' command lines as a user meets them: --help everywhere, one error style, "did you
// mean", process titles, and entry names that do not depend on how the watchtab was spelled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { startDaemon } from '../helpers/daemon.js';
import { REPO_ROOT, WATCHTAB_BIN, WATCHTABD_BIN } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';

interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(bin: string, args: readonly string[], cwd = REPO_ROOT): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('every watchtab sub-command answers --help and -h with its usage and each of its options', async () => {
  for (const command of COMMANDS) {
    for (const flag of ['--help', '-h']) {
      const help = await run(WATCHTAB_BIN, [command.name, flag]);
      assert.equal(help.code, 0, `${command.name} ${flag}: ${help.stderr}`);
      assert.ok(help.stdout.startsWith(`usage: watchtab ${command.synopsis}\n`), help.stdout);
      for (const option of command.options) assert.ok(help.stdout.includes(`--${option.long}`), option.long);
      assert.ok(help.stdout.includes('--help'));
      assert.equal(help.stderr, '');
    }
  }
  const top = await run(WATCHTAB_BIN, ['--help']);
  for (const command of COMMANDS) assert.ok(top.stdout.includes(`watchtab ${command.synopsis}`));
});

test('one error style, with a suggestion for a mistyped command, option or value', async () => {
  const cases: [string, string[], string][] = [
    [
      WATCHTAB_BIN,
      ['chek'],
      `watchtab: unknown command "chek" (did you mean check?)\nTry 'watchtab --help'.\n`,
    ],
    [WATCHTAB_BIN, [], `watchtab: a command is required\nTry 'watchtab --help'.\n`],
    [
      WATCHTAB_BIN,
      ['--hepl'],
      `watchtab: unknown option "--hepl" (did you mean --help?)\nTry 'watchtab --help'.\n`,
    ],
    [
      WATCHTAB_BIN,
      ['list', '--jsno'],
      `watchtab list: unknown option "--jsno" (did you mean --json?)\nTry 'watchtab list --help'.\n`,
    ],
    [
      WATCHTAB_BIN,
      ['status', '--sockt', '/x'],
      `watchtab status: unknown option "--sockt" (did you mean --socket?)\nTry 'watchtab status --help'.\n`,
    ],
    [
      WATCHTAB_BIN,
      ['status', '--socket'],
      `watchtab status: --socket needs a value\nTry 'watchtab status --help'.\n`,
    ],
    [
      WATCHTAB_BIN,
      ['edit', 'a', 'b'],
      `watchtab edit: too many operands (usage: watchtab edit [FILE])\nTry 'watchtab edit --help'.\n`,
    ],
    [
      WATCHTABD_BIN,
      ['--chek'],
      `watchtabd: unknown option "--chek" (did you mean --check?)\nTry 'watchtabd --help'.\n`,
    ],
    [
      WATCHTABD_BIN,
      ['--grace', '1e3'],
      `watchtabd: --grace: "1e3" is not a number of seconds\nTry 'watchtabd --help'.\n`,
    ],
  ];
  for (const [bin, args, stderr] of cases) {
    const ran = await run(bin, args);
    assert.deepEqual([ran.code, ran.stderr, ran.stdout], [2, stderr, ''], args.join(' '));
  }
});

test('an entry is named by the absolute watchtab path, however --watchtab or FILE was spelled', async (t) => {
  const dir = await tempDir(t);
  const tab = join(dir, 'tab');
  const out = join(dir, 'out');
  await writeFile(
    tab,
    `OUT = ${out}\n${join(dir, 'trigger')}\tclose_write\techo "$WATCHTAB_ENTRY" > "$OUT"\n`,
  );
  const names = async (file: string) => {
    const ran = await run(WATCHTAB_BIN, ['list', '--json', file], dir);
    assert.equal(ran.code, 0, ran.stderr);
    return (JSON.parse(ran.stdout) as { name: string }[]).map((e) => e.name);
  };
  assert.deepEqual(await names('tab'), [`${tab}:2`]);
  assert.deepEqual(await names(`./../${join(dir, 'tab').split('/').at(-2)}/tab`), [`${tab}:2`]);
  assert.deepEqual(await names(tab), [`${tab}:2`]);

  const socket = join(dir, 'status.sock');
  const daemon = startDaemon(t, {
    args: ['--watchtab', 'tab', '--socket', socket],
    cwd: dir,
  });
  await daemon.waitForLine(/\bready\b/);
  await writeFile(join(dir, 'trigger'), 'x');
  const ran = await waitFor(
    () => readFile(out, 'utf8').catch(() => ''),
    (text) => text !== '',
    { withinMs: 10_000, what: 'the entry to run' },
  );
  assert.equal(ran, `${tab}:2\n`);
  const status = await run(WATCHTAB_BIN, ['status', '--json', '--socket', socket], dir);
  const entries = (JSON.parse(status.stdout) as { entries: { name: string }[] }).entries;
  assert.deepEqual(
    entries.map((e) => e.name),
    [`${tab}:2`],
  );
  assert.equal(await daemon.stop(), 0);
});

test('the daemon is named watchtabd for pidof, ps and top', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'tab'), '');
  const daemon = startDaemon(t, { args: ['-c', join(dir, 'tab'), '--socket', join(dir, 's.sock')] });
  await daemon.waitForLine(/\bready\b/);
  const pid = daemon.child.pid ?? -1;
  assert.equal(await readFile(`/proc/${pid}/comm`, 'utf8'), 'watchtabd\n');
  const pidof = await new Promise<string>((resolve) => {
    const child = spawn('pidof', ['watchtabd'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    child.on('error', () => resolve('(pidof is not installed)'));
    child.on('close', () => resolve(text));
  });
  if (!pidof.startsWith('(')) assert.ok(pidof.trim().split(' ').includes(String(pid)), pidof);
  assert.equal(await daemon.stop(), 0);
});

test('SIGUSR1 never opens the Node inspector in the daemon', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'tab'), '');
  const daemon = startDaemon(t, { args: ['-c', join(dir, 'tab'), '--socket', join(dir, 's.sock')] });
  await daemon.waitForLine(/\bready\b/);
  daemon.child.kill('SIGUSR1');
  // A later marker: the reload asked for after SIGUSR1 is logged after whatever SIGUSR1 caused.
  const from = daemon.lines.length;
  daemon.child.kill('SIGHUP');
  await daemon.waitForLine(/\breloaded\b/, { fromLine: from });
  assert.equal(
    daemon.lines.filter((l) => /Debugger listening|inspector/i.test(l)).length,
    0,
    daemon.lines.join('\n'),
  );
  assert.equal(await daemon.stop(), 0);
});
