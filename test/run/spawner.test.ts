// Both spawners (posix_spawn through ffi-rs, the default, and execa) start a command the same way:
// its own session, clean signals, the given environment and folder, stdin, output, exit and errors;
// the children of node's own spawn, ending among them, are still node's to reap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tempDir } from '../helpers/temp.js';

const SPAWN_JS = fileURLToPath(new URL('../../src/run/spawn.js', import.meta.url));

// Runs in a fresh node with WATCHTAB_SPAWNER set (the spawner is chosen once, at load) and prints
// what the child reported, as JSON.
const PROBE = `
import { loadSpawner, spawnLaunch } from ${JSON.stringify(SPAWN_JS)};
await loadSpawner();
const identity = { user: 'root', home: '/' };
const launch = (args, cwd, env, hasStdin) =>
  spawnLaunch({ file: '/bin/sh', args, spawnCwd: cwd, cwd, identity }, env, hasStdin);
async function collect(spawned, input) {
  let out = '', err = '';
  spawned.stdout.on('data', (c) => (out += c));
  spawned.stderr.on('data', (c) => (err += c));
  const closed = new Promise((r) => spawned.stdout.once('close', r));
  if (input !== undefined) spawned.stdin.end(input);
  const [code, signal] = await new Promise((r) => spawned.onExit((...a) => r(a)));
  await closed;
  return { pid: spawned.pid, out, err, code, signal };
}
const cwd = process.argv[1];
// A child of node's own, ending among ours: node must still see its exit (ours never reap it).
const { spawn } = await import('node:child_process');
const nodeChild = spawn('/bin/sh', ['-c', 'sleep 0.2; exit 5'], { stdio: 'ignore' });
const nodeExit = new Promise((r) => nodeChild.once('exit', (code) => r(code)));
const facts = await collect(launch(['-c', [
  'echo "sid=$(cut -d" " -f6 /proc/$$/stat) pid=$$ pgrp=$(cut -d" " -f5 /proc/$$/stat)"',
  // Read by the shell itself with builtins only: a child (grep) reading the shell's status could
  // catch it between a vfork and the restore of its mask, when dash blocks every signal.
  'while read -r k v; do case $k in SigIgn:|SigBlk:) echo "$k $v";; esac; done < /proc/$$/status',
  'echo "cwd=$(pwd) FOO=$FOO HOME=\${HOME-unset}"',
  'echo to-stderr >&2',
  'read line; echo "stdin=$line"',
  'exit 7'].join('; ')], cwd, { FOO: 'a b', PATH: '/usr/bin:/bin' }, true), 'fed\\n');
const devNull = await collect(launch(['-c', 'ls -l /proc/$$/fd/0; cat'], cwd, { PATH: '/usr/bin:/bin' }, false));
const signaled = await collect(launch(['-c', 'kill -TERM $$'], cwd, {}, false));
const missing = spawnLaunch({ file: cwd + '/no-such-program', args: [], spawnCwd: cwd, cwd, identity }, {}, false);
const noFolder = launch(['-c', 'true'], cwd + '/no-such-folder', {}, false);
const parallel = await Promise.all(
  [3, 4, 5].map((n) => collect(launch(['-c', 'sleep 0.' + n + '; exit ' + n], cwd, {}, false))),
);
console.log(JSON.stringify({ facts, devNull, signaled, nodeChild: await nodeExit,
  parallel: parallel.map((p) => p.code),
  missing: [missing.pid ?? null, await missing.failure],
  noFolder: [noFolder.pid ?? null, await noFolder.failure] }));
`;

for (const spawner of ['posix', 'execa'] as const) {
  test(`the ${spawner} spawner: own session, default signals, env, cwd, stdin, output, exit, errors`, async (t) => {
    const dir = await tempDir(t);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--input-type=module', '-e', PROBE, dir],
      { env: { ...process.env, WATCHTAB_SPAWNER: spawner }, timeout: 30_000 },
    );
    const got = JSON.parse(stdout) as {
      facts: { pid: number; out: string; err: string; code: number | null; signal: string | null };
      devNull: { out: string; code: number | null };
      signaled: { code: number | null; signal: string | null };
      missing: [number | null, string | null];
      noFolder: [number | null, string | null];
      nodeChild: number | null;
      parallel: (number | null)[];
    };
    const { facts } = got;
    assert.match(facts.out, new RegExp(`^sid=${facts.pid} pid=${facts.pid} pgrp=${facts.pid}$`, 'm'));
    assert.match(facts.out, /^SigIgn:\s+0+$/m, 'no signal ignored (node ignores SIGPIPE itself)');
    assert.match(facts.out, /^SigBlk:\s+0+$/m, 'no signal blocked');
    assert.match(facts.out, new RegExp(`^cwd=${dir} FOO=a b HOME=unset$`, 'm'), 'only the given environment');
    assert.match(facts.out, /^stdin=fed$/m);
    assert.equal(facts.err, 'to-stderr\n');
    assert.deepEqual([facts.code, facts.signal], [7, null]);
    assert.match(got.devNull.out, /-> \/dev\/null$/m);
    assert.equal(got.devNull.code, 0);
    assert.deepEqual([got.signaled.code, got.signaled.signal], [null, 'SIGTERM']);
    assert.deepEqual(got.missing, [null, 'ENOENT']);
    assert.deepEqual(got.noFolder, [null, 'ENOENT']);
    assert.equal(got.nodeChild, 5, "node's own child is reaped by node, with its status");
    assert.deepEqual(got.parallel, [3, 4, 5], 'children ending close together each get their own status');
  });
}
