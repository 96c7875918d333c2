// The classic (filewatcherd) watchtab format: fields, escapes and environment lines.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FIXTURES } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';
import { createNssResolver } from '../../src/system/nss.js';
import { formatProblem } from '../../src/log/messages/watchtab.js';
import { STAR_EVENTS, type Entry } from '../../src/watchtab/entry.js';
import { loadWatchtab, type FileResult } from '../../src/watchtab/load.js';
import type { Problem } from '../../src/watchtab/problem.js';

const isRoot = process.geteuid?.() === 0;
const needsRoot = isRoot ? false : 'needs root: entries run as other users, and files must be owned by root';

/** Writes `text` as a watchtab in a temp dir and loads it (as the daemon would when root). */
async function load(t: TestContext, text: string, name = 'watchtab'): Promise<FileResult> {
  const file = join(await tempDir(t), name);
  await writeFile(file, text);
  const result = await loadWatchtab(file, { isRoot, resolver: createNssResolver() });
  const first = result.files[0];
  assert.ok(first);
  return first;
}

async function entries(t: TestContext, text: string): Promise<readonly Entry[]> {
  const result = await load(t, text);
  assert.deepEqual(result.problems.map(formatProblem), []);
  return result.entries;
}

async function problems(t: TestContext, text: string): Promise<readonly Problem[]> {
  const result = await load(t, text);
  assert.equal(result.entries.length, 0, 'a file with problems contributes no entries');
  assert.ok(result.problems.length > 0);
  return result.problems;
}

test('a filewatcherd watchtab reads as filewatcherd reads it', { skip: needsRoot }, async (t) => {
  const text = (await readFile(join(FIXTURES, 'watchtab/filewatcherd.tab'), 'utf8')).replace(
    'root:wheel',
    'root:root',
  );
  const list = await entries(t, text);
  assert.equal(list.length, 5);
  const [passwd, spool, hosts, www, spaced] = list as [Entry, Entry, Entry, Entry, Entry];
  assert.equal(passwd.name.endsWith('watchtab:7'), true);
  assert.deepEqual(passwd.paths, [{ kind: 'exact', path: '/etc/passwd' }]);
  assert.deepEqual(passwd.events, ['write', 'attrib']);
  assert.equal(passwd.delayMs, 0);
  assert.equal(passwd.catchUp, true, 'classic entries catch up, as YAML ones do by default');
  assert.equal(passwd.runAs, null);
  assert.equal(passwd.command, 'cp /etc/passwd /var/backups/passwd.copy');
  assert.deepEqual(passwd.env, { PATH: '/usr/local/bin:/usr/bin:/bin', MAILTO: 'admin@example.org' });
  assert.deepEqual(spool.events, ['write', 'extend']);
  assert.equal(spool.delayMs, 2500);
  assert.deepEqual(hosts.events, STAR_EVENTS);
  assert.equal(hosts.runAs?.uid, 0);
  assert.equal(hosts.runAs?.group, 'root');
  assert.equal(hosts.command, 'logger "hosts changed: $TRIGGER"');
  assert.equal(www.delayMs, 500);
  assert.equal(www.runAs?.user, 'nobody');
  assert.equal(www.chroot, '/srv/jail');
  assert.equal(www.command, '/bin/reload\tnow');
  assert.deepEqual(spaced.paths[0], { kind: 'exact', path: '/tmp/with space\ttab' });
  assert.equal(spaced.delayMs, 0, 'a delay of * is 0, as in filewatcherd');
  assert.equal(spaced.command, 'echo done');
  assert.equal(spaced.runLimit.burst, 200);
  assert.equal(spaced.graceMs, 10_000);
  assert.equal(spaced.onBusy, 'queue');
  assert.equal(spaced.timeoutMs, null);
});

test(
  'every field count from 3 to 6 maps the fields, and a 7th field is an error',
  { skip: needsRoot },
  async (t) => {
    const list = await entries(
      t,
      [
        '/a\twrite\tc3',
        '/a\twrite\t1\tc4',
        '/a\twrite\t1\tnobody\tc5',
        '/a\twrite\t1\tnobody\t/jail\tc6',
      ].join('\n'),
    );
    assert.deepEqual(
      list.map((e) => [e.command, e.delayMs, e.runAs?.user ?? null, e.chroot]),
      [
        ['c3', 0, null, null],
        ['c4', 1000, null, null],
        ['c5', 1000, 'nobody', null],
        ['c6', 1000, 'nobody', '/jail'],
      ],
    );
    const [seven] = await problems(t, '/a\twrite\t1\tnobody\t/jail\tcmd\textra\n');
    assert.equal(seven?.code, 'E_FIELDS');
    assert.match(formatProblem(seven as Problem), /^\/.*watchtab:1:1: .*at most 6 .*this one has 7/);
    const [two] = await problems(t, '/a\twrite\n');
    assert.equal(two?.code, 'E_FIELDS');
  },
);

test('backslash escapes: \\ + tab stays in the field, \\\\ is a backslash, a dangling one is an error', async (t) => {
  const [entry] = await entries(t, '/x\\\ty\twrite\tprintf "a\\\tb\\\\n"\n');
  assert.deepEqual(entry?.paths[0], { kind: 'exact', path: '/x\ty' });
  assert.equal(entry?.command, 'printf "a\tb\\n"');
  // In a path the field's escapes come first, then the glob's: \\\\ is a literal backslash, \\* a star.
  const [literal, star] = await entries(t, '/a\\\\\\\\b\twrite\tc\n/a\\\\*b\twrite\tc\n');
  assert.deepEqual(literal?.paths[0], { kind: 'exact', path: '/a\\b' });
  assert.deepEqual(star?.paths[0], { kind: 'exact', path: '/a*b' });
  const [dangling] = await problems(t, '/x\twrite\techo \\\n');
  assert.equal(dangling?.code, 'E_SYNTAX');
});

test('environment lines apply to the entries below them, later ones override, quotes as in cron', async (t) => {
  const list = await entries(
    t,
    ['A = 1', '/a\twrite\tc1', 'A=2', "B = ' spaced '", 'C="x', 'EMPTY =', '/b\twrite\tc2'].join('\n'),
  );
  assert.deepEqual(list[0]?.env, { A: '1' });
  assert.deepEqual(list[1]?.env, { A: '2', B: ' spaced ', C: '"x', EMPTY: '' });
});

test('an = after a tab or backslash is part of an entry, not an environment line', async (t) => {
  const [entry, escaped] = await entries(t, '/a\twrite\tX=1 make\n/b\\=c\twrite\tmake');
  assert.equal(entry?.command, 'X=1 make');
  assert.deepEqual(escaped?.paths[0], { kind: 'exact', path: '/b=c' });
  const bad = await problems(t, 'BAD NAME = 1\n/b=c\twrite\tmake\n');
  assert.deepEqual(
    bad.map((p) => p.code),
    ['E_ENV', 'E_ENV'],
  );
  assert.match(bad[1]?.message ?? '', /in a path, write \\=/);
});

test('events: any one separator, any case, * for all but read-side events', async (t) => {
  const list = await entries(
    t,
    ['/a\twrite,close_write\tc', '/a\tDelete|Rename\tc', '/a\tcreate;ATTRIB:open\tc', '/a\t*\tc'].join('\n'),
  );
  assert.deepEqual(list[0]?.events, ['write', 'close_write']);
  assert.deepEqual(list[1]?.events, ['delete', 'rename']);
  assert.deepEqual(list[2]?.events, ['create', 'attrib', 'open']);
  assert.deepEqual(list[3]?.events, STAR_EVENTS);
  assert.equal(list[3]?.events.includes('access'), false);
});

test('unknown and empty event names are problems with their place', async (t) => {
  const found = await problems(t, '# comment\n/a\twrite,modfy\tc\n/a\twrite,,delete\tc\n');
  assert.equal(found.length, 2);
  assert.equal(
    formatProblem(found[0] as Problem).replace(/^.*watchtab:/, ''),
    '2:4: events: unknown event "modfy" (allowed: *, create, write, close_write, delete, rename, attrib, extend, link, revoke, access, open, close_nowrite)',
  );
  assert.equal(found[1]?.code, 'E_EVENT_EMPTY');
  assert.equal(found[1]?.line, 3);
});

test('bad delays, relative paths and unknown users are problems; every one is reported', async (t) => {
  const found = await problems(
    t,
    [
      '/a\twrite\t1.5s\tc',
      'relative/x\twrite\tc',
      '/a\twrite\t0\tno_such_user_xyz\tc',
      '/a\twrite\t1e3\tc',
    ].join('\n'),
  );
  assert.deepEqual(
    found.map((p) => [p.line, p.code, p.key]),
    [
      [1, 'E_VALUE', 'delay'],
      [2, 'E_PATH', 'path'],
      [3, 'E_USER_UNKNOWN', 'user'],
      [4, 'E_VALUE', 'delay'],
    ],
  );
});

test('blank lines, comments, surrounding blanks and a byte-order mark are ignored; CRLF line ends are accepted', async (t) => {
  const list = await entries(t, '\uFEFF\r\n   # note\r\n  \t/a\twrite\tcmd  \r\n\n');
  assert.equal(list.length, 1);
  assert.equal(list[0]?.command, 'cmd');
  assert.equal(list[0]?.source.line, 3);
});
