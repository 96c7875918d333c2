// `watchtab edit` where others could interfere: a sticky shared folder with a `nobody` swapping
// names for symlinks, unsafe folders refused, a symlinked watchtab, repairs, an abandoned edit kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  chmod,
  chown,
  lstat,
  mkdir,
  readFile,
  readlink,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp.js';
import { WATCHTAB_BIN } from '../helpers/paths.js';
import { lookupUser } from '../../src/system/nss.js';

interface Result {
  readonly code: number | null;
  readonly stderr: string;
}

function edit(file: string, editor: string, input = ''): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [WATCHTAB_BIN, 'edit', file], {
      env: { ...process.env, VISUAL: '', EDITOR: editor },
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.stdin.end(input);
    child.once('exit', (code) => resolve({ code, stderr }));
  });
}

/** An editor stand-in: copies `content` over the file it is given (and leaves a mark it ran). */
async function editorWriting(dir: string, content: string): Promise<string> {
  const next = join(dir, 'next');
  await writeFile(next, content);
  const editor = join(dir, 'editor.sh');
  await writeFile(editor, `#!/bin/sh\ntouch "${dir}/editor-ran"\ncp "${next}" "$1"\n`, { mode: 0o755 });
  return editor;
}

function needsRootAndNobody(t: test.TestContext): boolean {
  if (process.getuid?.() !== 0) {
    t.skip('needs root to play root and the other user');
    return false;
  }
  if (lookupUser('nobody').kind !== 'found' || spawnSync('setpriv', ['--version']).status !== 0) {
    t.skip('needs setpriv and a user "nobody"');
    return false;
  }
  return true;
}

// As nobody: over and over, tries to put a symlink to the victim in place of every name in the
// folder that is not its own, the moment it sees it (how the chown-by-name attack won); counts what each try gave.
const SWAPPER = `
const fs = require('node:fs');
const [dir, victim] = process.argv.slice(1);
const seen = {};
const note = (what) => { seen[what] = (seen[what] ?? 0) + 1; };
process.on('SIGTERM', () => { process.stdout.write(JSON.stringify(seen)); process.exit(0); });
let n = 0;
const loop = () => {
  for (const name of fs.readdirSync(dir)) {
    let owner;
    try { owner = fs.lstatSync(dir + '/' + name).uid; } catch { continue; }
    if (owner === process.getuid()) continue;
    const mine = dir + '/evil-' + (n++);
    const kind = name.includes('watchtab-edit-') ? 'temp' : 'target';
    // A rename that succeeds only took a name root had already given up (renamed away).
    try { fs.symlinkSync(victim, mine); fs.renameSync(mine, dir + '/' + name); note(kind + ' freed'); }
    catch (e) { note(kind + ' ' + e.code); try { fs.unlinkSync(mine); } catch {} }
  }
  setImmediate(loop);
};
loop();
`;

test('in a sticky shared folder, a nobody swapping names for symlinks never gets a root file', async (t) => {
  if (!needsRootAndNobody(t)) return;
  const dir = await tempDir(t);
  await chmod(dir, 0o755);
  const shared = join(dir, 'shared');
  await mkdir(shared);
  await chmod(shared, 0o1777); // like /tmp: everyone may create, only owners may rename or remove
  const victim = join(dir, 'victim');
  await writeFile(victim, 'root secret\n', { mode: 0o600 });
  const tab = join(shared, 'watchtab');
  await writeFile(tab, '# empty\n', { mode: 0o644 });
  const swapper = spawn(
    'setpriv',
    ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', SWAPPER, shared, victim],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  t.after(() => swapper.kill('SIGKILL'));
  let report = '';
  swapper.stdout.on('data', (c: Buffer) => (report += c.toString('utf8')));
  const swapperExited = new Promise((resolve) => swapper.once('exit', resolve));
  for (let round = 0; round < 5; round += 1) {
    const content = `${dir}\tcreate\techo ${round}\n`;
    const result = await edit(tab, await editorWriting(dir, content));
    assert.equal(result.code, 0, result.stderr);
    const info = await lstat(tab);
    assert.ok(info.isFile(), `the watchtab is still a file (swapper: ${report})`);
    assert.deepEqual([info.uid, info.gid, info.mode & 0o7777], [0, 0, 0o644]);
    assert.equal(await readFile(tab, 'utf8'), content);
  }
  swapper.kill('SIGTERM');
  await swapperExited;
  t.diagnostic(`swapper: ${report}`);
  const seen = JSON.parse(report) as Record<string, number>;
  assert.ok((seen['target EPERM'] ?? 0) > 0, `the swapper tried: ${report}`);
  const victimInfo = await stat(victim);
  assert.deepEqual([victimInfo.uid, victimInfo.mode & 0o7777], [0, 0o600]);
  assert.equal(await readFile(victim, 'utf8'), 'root secret\n');
});

test('a folder others can write (not sticky), or owned by another user, is refused before editing', async (t) => {
  if (!needsRootAndNobody(t)) return;
  const dir = await tempDir(t);
  await chmod(dir, 0o755);
  const open = join(dir, 'open');
  const theirs = join(dir, 'theirs');
  await mkdir(open);
  await chmod(open, 0o777);
  await mkdir(theirs, { mode: 0o755 });
  await chown(theirs, 65534, 65534);
  const editor = await editorWriting(dir, `${dir}\tcreate\ttrue\n`);
  for (const [folder, why] of [
    [open, /writable by group or others \(mode 0777\) and not sticky/],
    [theirs, /owned by uid 65534, neither root nor you/],
  ] as const) {
    const tab = join(folder, 'watchtab');
    await writeFile(tab, '# empty\n', { mode: 0o644 });
    const result = await edit(tab, editor);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, why);
    assert.ok(result.stderr.includes(folder), result.stderr);
    assert.equal(await readFile(tab, 'utf8'), '# empty\n');
    await assert.rejects(stat(join(dir, 'editor-ran')), 'the editor never ran');
  }
});

test('a symlinked watchtab: its target is edited, the link stays a link', async (t) => {
  const dir = await tempDir(t);
  const real = join(dir, 'conf');
  await mkdir(real);
  const target = join(real, 'watchtab');
  await writeFile(target, '# empty\n', { mode: 0o640 });
  const link = join(dir, 'watchtab');
  await symlink('conf/watchtab', link);
  const result = await edit(link, await editorWriting(dir, `${dir}\tcreate\ttrue\n`));
  assert.equal(result.code, 0, result.stderr);
  assert.equal(await readlink(link), 'conf/watchtab');
  assert.equal(await readFile(target, 'utf8'), `${dir}\tcreate\ttrue\n`);
  assert.equal((await stat(target)).mode & 0o777, 0o640);

  await rm(target);
  const dangling = await edit(link, await editorWriting(dir, '# x\n'));
  assert.equal(dangling.code, 1);
  assert.match(dangling.stderr, /symbolic link to a file that does not exist/);
});

test('a watchtab watchtabd would refuse is repaired on install, with a message', async (t) => {
  if (!needsRootAndNobody(t)) return;
  const dir = await tempDir(t);
  const tab = join(dir, 'watchtab');
  await writeFile(tab, '# empty\n');
  await chmod(tab, 0o666);
  await chown(tab, 65534, 0);
  const result = await edit(tab, await editorWriting(dir, `${dir}\tcreate\ttrue\n`));
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /mode 0666\), which watchtabd refuses: installed with mode 0644/);
  assert.match(result.stderr, /owned by uid 65534, not root, .* installed owned by root/);
  const info = await stat(tab);
  assert.deepEqual([info.uid, info.gid, info.mode & 0o7777], [0, 0, 0o644]);
});

test('a FIFO in place of the watchtab is refused without hanging', async (t) => {
  const dir = await tempDir(t);
  const fifo = join(dir, 'watchtab');
  if (spawnSync('mkfifo', [fifo]).status !== 0) return t.skip('needs mkfifo');
  const result = await edit(fifo, await editorWriting(dir, '# x\n'));
  assert.equal(result.code, 1);
  assert.match(result.stderr, /is not a regular file/);
});

test('an abandoned broken edit is kept, and the tool says where', async (t) => {
  const dir = await tempDir(t);
  const tab = join(dir, 'watchtab');
  await writeFile(tab, '# empty\n');
  const broken = `${dir}\tmodfy\ttrue\n`;
  const result = await edit(tab, await editorWriting(dir, broken), 'n\n');
  assert.equal(result.code, 1);
  const kept = /your edit is kept in (.+)$/m.exec(result.stderr)?.[1] ?? '';
  assert.notEqual(kept, '', result.stderr);
  t.after(() => rm(join(kept, '..'), { recursive: true, force: true }));
  assert.equal(await readFile(kept, 'utf8'), broken);
  assert.equal((await stat(kept)).mode & 0o777, 0o600);
  assert.equal(await readFile(tab, 'utf8'), '# empty\n');
});
