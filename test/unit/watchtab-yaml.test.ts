// The YAML watchtab format: types, keys, events and syntax problems, each with its file, line and key.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FIXTURES } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';
import { createNssResolver } from '../../src/system/nss.js';
import { formatProblem } from '../../src/log/messages/watchtab.js';
import { STAR_EVENTS } from '../../src/watchtab/entry.js';
import { loadWatchtab, type FileResult } from '../../src/watchtab/load.js';
import { isYaml } from '../../src/watchtab/yaml-detect.js';

const isRoot = process.geteuid?.() === 0;

async function load(t: TestContext, text: string, name = 'site.yaml'): Promise<FileResult> {
  const file = join(await tempDir(t), name);
  await writeFile(file, text);
  const [first] = (await loadWatchtab(file, { isRoot, resolver: createNssResolver() })).files;
  assert.ok(first);
  return first;
}

/** The problems, formatted, without the temp folder. */
async function problemLines(t: TestContext, text: string, name = 'site.yaml'): Promise<string[]> {
  const result = await load(t, text, name);
  assert.equal(result.entries.length, 0, 'a file with problems contributes no entries');
  return result.problems.map((p) => formatProblem(p).replace(/^.*\//, ''));
}

test(
  'every YAML key becomes its Entry field',
  { skip: isRoot ? false : 'needs root: runs as nobody' },
  async (t) => {
    const file = join(await tempDir(t), 'full.yaml');
    await copyFile(join(FIXTURES, 'watchtab/full.yaml'), file);
    const [result] = (await loadWatchtab(file, { isRoot, resolver: createNssResolver() })).files;
    assert.deepEqual(result?.problems, []);
    const [site, nginx] = result?.entries ?? [];
    assert.deepEqual(site, {
      name: 'site',
      source: { file, line: 6 },
      paths: [{ kind: 'glob', base: '/srv/site/src', pattern: '/srv/site/src/**/*.md', maxDepth: Infinity }],
      exclude: ['/srv/site/src/**/.git/**', '/srv/site/src/**/*~', '/srv/site/src/drafts/**'],
      events: ['create', 'close_write', 'delete', 'rename'],
      delayMs: 500,
      settleMs: 2000,
      maxWaitMs: 30_000,
      stdin: 'paths0',
      catchUp: false,
      runAs: {
        user: 'nobody',
        uid: 65534,
        group: 'nogroup',
        gid: 65534,
        groups: [65534],
        home: '/nonexistent',
      },
      chroot: '/srv/jail',
      cwd: '/srv/site',
      command: 'make -C /srv/site',
      onBusy: 'restart',
      timeoutMs: 600_000,
      graceMs: 2500,
      env: {
        PATH: '/usr/local/bin:/usr/bin:/bin',
        LANG: 'C.UTF-8',
        SITE: 'prod',
        PORT: '8080',
        DEBUG: 'false',
      },
      contentOnly: true,
      ignoreOwnChanges: true,
      backend: 'poll',
      pollIntervalMs: 5000,
      runLimit: { burst: 3, intervalMs: 60_000 },
    });
    assert.equal(nginx?.name, `${file}:30`, 'the default name is FILE:LINE of the list item');
    assert.deepEqual(nginx?.events, STAR_EVENTS);
    assert.equal(nginx?.delayMs, 0);
    assert.deepEqual([nginx?.settleMs, nginx?.maxWaitMs, nginx?.stdin], [0, 60_000, 'none']);
    assert.equal(nginx?.catchUp, true, 'catch-up is on unless turned off');
    assert.equal(nginx?.graceMs, 10_000);
    assert.equal(nginx?.ignoreOwnChanges, false, 'ignore-own-changes is off unless asked');
    assert.equal(nginx?.timeoutMs, null);
    assert.equal(nginx?.onBusy, 'queue');
    assert.equal(nginx?.contentOnly, false);
    assert.equal(nginx?.backend, null);
    assert.equal(nginx?.pollIntervalMs, null);
    assert.deepEqual(nginx?.runLimit, { burst: 200, intervalMs: 2_000 });
    assert.deepEqual(nginx?.exclude, []);
  },
);

test('wrong types name the file, line and key', async (t) => {
  const lines = await problemLines(
    t,
    [
      'entries:',
      '  - path: /a',
      '    events: write',
      '    command: [make]',
      '    delay: "soon"',
      '    timeout: 0',
      '    content-only: "yes"',
      '    exclude: 3',
      '    env: [A]',
      '    trigger-limit-burst: 1.5',
      '    on-busy: wait',
    ].join('\n'),
  );
  assert.deepEqual(lines, [
    'site.yaml:4:14: command: expected a string, found a list',
    'site.yaml:5:12: delay: "soon" is not a number of seconds',
    'site.yaml:6:14: timeout: 0 is out of range (more than 0 to 2147483 seconds)',
    'site.yaml:7:19: content-only: expected true or false, found a string',
    'site.yaml:8:14: exclude: expected a list of glob patterns, found a number',
    'site.yaml:9:10: env: expected a mapping, found a list',
    'site.yaml:10:26: trigger-limit-burst: 1.5 is not a whole number',
    'site.yaml:11:14: on-busy: unknown value "wait" (allowed: queue, ignore, restart)',
  ]);
});

test('unknown keys, at file and entry level, are never ignored; required keys are required', async (t) => {
  const lines = await problemLines(
    t,
    ['enviroment: {A: 1}', 'entries:', '  - path: /a', '    evnets: write', '    command: x'].join('\n'),
  );
  assert.equal(lines.length, 3);
  assert.match(
    lines[0] ?? '',
    /^site\.yaml:1:1: enviroment: unknown key "enviroment" \(allowed: env, entries\)$/,
  );
  assert.match(lines[1] ?? '', /^site\.yaml:3: events: "events" is required$/);
  assert.match(
    lines[2] ?? '',
    /^site\.yaml:4:5: evnets: unknown key "evnets" \(allowed: name, path, exclude, /,
  );
});

test('events: a list, "*" as a string or as a list item, case-insensitive; unknown names are problems', async (t) => {
  const ok = await load(
    t,
    [
      'entries:',
      '  - {path: /a, events: [Write, CLOSE_WRITE], command: x}',
      '  - {path: /a, events: ["*", access], command: x}',
      '  - {path: /a, events: "delete|rename", command: x}',
    ].join('\n'),
  );
  assert.deepEqual(ok.problems, []);
  assert.deepEqual(
    ok.entries.map((e) => e.events),
    [
      ['write', 'close_write'],
      [...STAR_EVENTS, 'access'],
      ['delete', 'rename'],
    ],
  );
  const lines = await problemLines(t, 'entries:\n  - {path: /a, events: [write, modfy], command: x}\n');
  assert.match(
    lines[0] ?? '',
    /^site\.yaml:2:24: events: unknown event "modfy" \(allowed: \*, create, write/,
  );
  const empty = await problemLines(t, 'entries:\n  - {path: /a, events: [], command: x}\n');
  assert.match(empty[0] ?? '', /events: at least one event is required/);
});

test('YAML syntax errors and duplicate keys are reported with their line', async (t) => {
  const lines = await problemLines(
    t,
    'entries:\n  - path: /a\n    path: /b\n    events: write\n    command: x\n',
  );
  assert.match(lines[0] ?? '', /^site\.yaml:3:5: not valid YAML: Map keys must be unique/);
  const broken = await problemLines(t, 'entries:\n  - path: [/a\n');
  assert.ok(broken.length > 0);
  assert.match(broken[0] ?? '', /^site\.yaml:\d+:\d+: not valid YAML/);
  const notList = await problemLines(t, 'entries: {path: /a}\n');
  assert.deepEqual(notList, ['site.yaml:1:10: entries: expected a list, found a mapping']);
});

test('a file is YAML by its extension or by a leading --- after blanks and comments', async (t) => {
  assert.equal(isYaml('/etc/watchtab.d/x.yaml', ''), true);
  assert.equal(isYaml('/etc/watchtab.d/x.yml', ''), true);
  assert.equal(isYaml('/etc/watchtab', '# c\n\n---\nentries: []\n'), true);
  assert.equal(isYaml('/etc/watchtab', '/a\twrite\tx\n---\n'), false);
  assert.equal(isYaml('/etc/watchtab.d/x.tab', 'entries: []\n'), false);
  const byMarker = await load(
    t,
    '# a YAML watchtab\n---\nentries:\n  - {path: /a, events: write, command: x}\n',
    'watchtab',
  );
  assert.deepEqual(byMarker.problems, []);
  assert.equal(byMarker.entries[0]?.source.line, 4);
  const empty = await load(t, '---\n', 'watchtab');
  assert.deepEqual([empty.entries, empty.problems], [[], []]);
});

test('file env and entry env merge, the entry winning; bad names are problems', async (t) => {
  const ok = await load(
    t,
    'env: {A: 1, B: x}\nentries:\n  - {path: /a, events: write, command: x, env: {B: y}}\n',
  );
  assert.deepEqual(ok.entries[0]?.env, { A: '1', B: 'y' });
  const lines = await problemLines(t, 'env: {"A-B": 1}\nentries: []\n');
  assert.deepEqual(lines, ['site.yaml:1:6: env: "A-B" is not a valid environment variable name']);
});

test('${WATCHTAB_DIR} expands in path, exclude, cwd and chroot to the folder holding the file', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'x.yaml');
  await writeFile(
    file,
    [
      'entries:',
      '  - path: ${WATCHTAB_DIR}/demo/**',
      "    exclude: ['${WATCHTAB_DIR}/demo/out/**']",
      '    cwd: ${WATCHTAB_DIR}/demo',
      '    chroot: ${WATCHTAB_DIR}',
      '    events: write',
      '    command: echo ${WATCHTAB_DIR}',
    ].join('\n'),
  );
  const [result] = (await loadWatchtab(file, { isRoot, resolver: createNssResolver() })).files;
  const entry = result?.entries[0];
  assert.deepEqual(entry?.paths[0], {
    kind: 'glob',
    base: `${dir}/demo`,
    pattern: `${dir}/demo/**`,
    maxDepth: Infinity,
  });
  assert.deepEqual(entry?.exclude, [`${dir}/demo/out/**`]);
  assert.equal(entry?.cwd, `${dir}/demo`);
  assert.equal(entry?.chroot, dir);
  assert.equal(entry?.command, 'echo ${WATCHTAB_DIR}', 'the command is left to the shell');
});

test('settle, max-wait and stdin: read in seconds and by name; mistakes name the file, line and key', async (t) => {
  const good = await load(
    t,
    [
      'entries:',
      '  - path: /a',
      '    events: write',
      '    command: make',
      '    settle: 0.5',
      '    stdin: paths0',
    ].join('\n'),
  );
  assert.deepEqual(good.problems, []);
  assert.equal(good.entries[0]?.settleMs, 500);
  assert.equal(good.entries[0]?.maxWaitMs, 60_000);
  assert.equal(good.entries[0]?.stdin, 'paths0');
  const lines = await problemLines(
    t,
    [
      'entries:',
      '  - path: /a',
      '    events: write',
      '    command: make',
      '    settle: quiet',
      '    max-wait: 0',
      '    stdin: lines',
    ].join('\n'),
  );
  assert.deepEqual(lines, [
    'site.yaml:5:13: settle: "quiet" is not a number of seconds',
    'site.yaml:6:15: max-wait: 0 is out of range (more than 0 to 2147483 seconds)',
    'site.yaml:7:12: stdin: unknown value "lines" (allowed: none, paths, paths0, json)',
  ]);
});
