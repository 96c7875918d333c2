// How a command is launched: sh -c, setpriv for a user, chroot(1), refused without root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHROOT, launchArgv, planLaunch, SETPRIV } from '../../src/run/launch.js';
import { makeEntry } from '../run/entry-fixture.js';
import type { Entry } from '../../src/watchtab/entry.js';

const runAs = { user: 'www', uid: 33, group: 'www', gid: 33, groups: [33, 4, 100], home: '/var/www' };
const self = { user: 'root', home: '/root' };

test('a plain entry runs /bin/sh -c COMMAND, the command as one argument', () => {
  const entry = makeEntry({ dir: '/w', command: 'echo "$TRIGGER"; make' });
  assert.deepEqual(launchArgv(entry, '/w'), { file: '/bin/sh', args: ['-c', 'echo "$TRIGGER"; make'] });
});

test('a user switch goes through setpriv with uid, gid and every supplementary group', () => {
  const entry = makeEntry({ dir: '/w', command: 'id -G', runAs });
  assert.deepEqual(launchArgv(entry, '/w'), {
    file: SETPRIV,
    args: ['--reuid=33', '--regid=33', '--groups=33,4,100', '--', '/bin/sh', '-c', 'id -G'],
  });
});

test('a chroot goes through chroot(1), with numeric ids, and changes to a working folder inside the jail', () => {
  const entry = makeEntry({ dir: '/w', command: 'pwd', runAs, chroot: '/srv/jail' });
  assert.deepEqual(launchArgv(entry, '/'), {
    file: CHROOT,
    args: ['--userspec=+33:+33', '--groups=+33,+4,+100', '/srv/jail', '/bin/sh', '-c', 'pwd'],
  });
  const inner = launchArgv({ ...entry, runAs: null }, '/data dir');
  assert.equal(inner.file, CHROOT);
  assert.deepEqual(inner.args.slice(0, 3), ['/srv/jail', '/bin/sh', '-c']);
  assert.deepEqual(inner.args.slice(4), ['watchtab', '/data dir', 'pwd'], 'folder and command as arguments');
});

test("the switching tools are absolute paths, never found through the watchtab's PATH", () => {
  assert.match(SETPRIV, /^\/(usr\/)?s?bin\/setpriv$/);
  assert.match(CHROOT, /^\/(usr\/)?s?bin\/chroot$/);
});

test("without root, an entry naming the daemon's own user and group runs directly, as that user", async () => {
  const me = {
    user: 'me',
    uid: process.getuid?.() ?? 0,
    group: 'mine',
    gid: process.getgid?.() ?? 0,
    groups: [process.getgid?.() ?? 0],
    home: '/home/me',
  };
  const plan = await planLaunch(makeEntry({ dir: '/', command: 'true', runAs: me }), { isRoot: false, self });
  assert.equal(plan.kind, 'launch');
  assert.equal(plan.kind === 'launch' ? plan.file : '', '/bin/sh');
  assert.deepEqual(plan.kind === 'launch' ? plan.identity : null, { user: 'me', home: '/home/me' });
});

test('without root, a user or a chroot is refused, never run as the daemon instead', async () => {
  const asUser = await planLaunch(makeEntry({ dir: '/', command: 'true', runAs }), { isRoot: false, self });
  assert.equal(asUser.kind, 'refused');
  assert.match(
    asUser.kind === 'refused' ? asUser.reason : '',
    /runs as user www, but the daemon does not run as root/,
  );
  const jailed = await planLaunch(makeEntry({ dir: '/', command: 'true', chroot: '/srv' }), {
    isRoot: false,
    self,
  });
  assert.equal(jailed.kind, 'refused');
});

test("the default working folder is a watched folder itself, a watched file's parent, a glob's base", async () => {
  const ctx = { isRoot: false, self };
  const cwdOf = async (...paths: Entry['paths']) => {
    const plan = await planLaunch(makeEntry({ dir: '/', command: 'true', paths }), ctx);
    return plan.kind === 'launch' ? plan.cwd : plan.reason;
  };
  assert.equal(await cwdOf({ kind: 'exact', path: '/etc' }), '/etc');
  assert.equal(await cwdOf({ kind: 'exact', path: '/etc/hostname' }), '/etc');
  assert.equal(await cwdOf({ kind: 'exact', path: '/etc/not-there-yet' }), '/etc');
  assert.equal(await cwdOf({ kind: 'glob', base: '/usr', pattern: '/usr/**', maxDepth: Infinity }), '/usr');
});

test("with several paths the default working folder is the first path's, whichever one triggered", async () => {
  const ctx = { isRoot: false, self };
  const cwdOf = async (...paths: Entry['paths']) => {
    const plan = await planLaunch(makeEntry({ dir: '/', command: 'true', paths }), ctx);
    return plan.kind === 'launch' ? plan.cwd : plan.reason;
  };
  const usr = { kind: 'glob', base: '/usr', pattern: '/usr/**', maxDepth: Infinity } as const;
  const hostname = { kind: 'exact', path: '/etc/hostname' } as const;
  assert.equal(await cwdOf(hostname, usr), '/etc');
  assert.equal(await cwdOf(usr, hostname), '/usr');
});
