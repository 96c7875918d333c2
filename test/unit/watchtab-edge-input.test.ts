// The watchtab reader at the edges of its input, each case with real files: ids that
// would wrap in C, YAML nulls, alias bombs and other inputs that must never throw, literal
// parentheses, durations that round to 0, env numbers as written, escaped trailing blanks, list
// item lines, byte-order marks, CRLF and duplicate keys.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp.js';
import { createNssResolver, lookupGroup, lookupUser } from '../../src/system/nss.js';
import { formatProblem } from '../../src/log/messages/watchtab.js';
import { loadWatchtab, type FileResult } from '../../src/watchtab/load.js';
import { absoluteExclude, parsePathSpec } from '../../src/watchtab/path-pattern.js';
import { compileGlob } from '../../src/watch/glob.js';

const isRoot = process.geteuid?.() === 0;

async function load(t: TestContext, text: string, name: string): Promise<FileResult> {
  const file = join(await tempDir(t), name);
  await writeFile(file, text);
  const [first] = (await loadWatchtab(file, { isRoot, resolver: createNssResolver() })).files;
  assert.ok(first);
  return first;
}

/** The problems as users read them, without the temp folder. */
async function problems(t: TestContext, text: string, name: string): Promise<string[]> {
  const result = await load(t, text, name);
  assert.equal(result.entries.length, 0, 'a file with problems contributes no entries');
  return result.problems.map((p) => formatProblem(p).replace(/^.*\//, ''));
}

test('a uid or gid C cannot hold never reaches NSS: 2^32 is not root', async (t) => {
  assert.deepEqual(lookupUser('4294967296'), { kind: 'missing' });
  assert.deepEqual(lookupGroup('4294967296'), { kind: 'missing' });
  assert.deepEqual(lookupGroup(2 ** 32), { kind: 'missing' });
  const bad = ['4294967296', '4294967295', '-1', '1e3', '+0', '0x0', '1.5'];
  const classic = bad.map((id) => `/a\twrite\t0\t${id}\tx`).join('\n');
  const found = await problems(t, `${classic}\n/b\twrite\t0\troot:4294967296\tx\n`, 'watchtab');
  assert.equal(found.length, bad.length + 1);
  for (const line of found) assert.match(line, /^watchtab:\d+:12: user: "[^"]+" is not a valid uid or gid/);
  assert.deepEqual(
    await problems(t, 'entries:\n  - {path: /a, events: write, command: x, user: 4294967296}\n', 'a.yaml'),
    [
      'a.yaml:2:49: user: "4294967296" is not a valid uid or gid (a whole number from 0 to 4294967294, digits only)',
    ],
  );
  const yamlFloat = await problems(
    t,
    'entries:\n  - {path: /a, events: write, command: x, user: 1e3}\n',
    'a.yaml',
  );
  assert.match(yamlFloat[0] ?? '', /user: "1e3" is not a valid uid or gid/);
});

test('a YAML null for a required key is missing; empty events or command are errors', async (t) => {
  const text =
    'entries:\n  - path: ~\n    events:\n    command: null\n  - path: /a\n    events: []\n    command: " "\n';
  assert.deepEqual(await problems(t, text, 'n.yaml'), [
    'n.yaml:2: path: "path" is required',
    'n.yaml:2: events: "events" is required',
    'n.yaml:2: command: "command" is required',
    'n.yaml:6:13: events: at least one event is required',
    'n.yaml:7:14: command: must not be empty',
  ]);
});

test('an alias bomb is a syntax problem with its place, not an exception', async (t) => {
  const bomb = [
    'x: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]',
    'y: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
    'z: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
    'entries:',
    '  - path: /a',
    '    events: write',
    '    command: x',
    '    env: {A: *c}',
    '',
  ].join('\n');
  const found = await problems(t, bomb, 'bomb.yaml');
  assert.ok(
    found.includes(
      'bomb.yaml:8:10: env: too many aliases to expand (more than 100); write the value out instead of nesting aliases',
    ),
    found.join('\n'),
  );
  const top = await problems(t, bomb.replace('entries:', 'env: *c\nentries:'), 'bomb.yaml');
  assert.ok(
    top.some((p) => p.startsWith('bomb.yaml:4:6: env: too many aliases')),
    top.join('\n'),
  );
});

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

test('no text makes the loader throw: hundreds of random and mutated inputs', async (t) => {
  const dir = await tempDir(t);
  const seeds = [
    'entries:\n  - name: a\n    path: /srv/**/*.md\n    events: [write, create]\n    command: make\n    env: {A: 1}\n',
    '---\nenv: &e {A: b}\nentries:\n  - {path: /a, events: "*", command: x, env: *e, timeout: 1.5}\n',
    'A=b\n/srv/{a,b}/[!x]*\twrite|create\t0.5\troot:root\t/jail\techo \\\t"$TRIGGER"\n',
  ];
  const alphabet = [
    '\n',
    '\t',
    ' ',
    '-',
    ':',
    '[',
    ']',
    '{',
    '}',
    '&',
    '*',
    '!',
    '|',
    '>',
    '"',
    "'",
    '\\',
    '#',
    '~',
    '%',
    '@',
    '`',
    '\r',
    '\uFEFF',
    '\0',
    'a',
    '1',
    '.',
    ',',
  ];
  const next = random(20261122);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  for (let i = 0; i < 300; i++) {
    let text = pick(seeds);
    const edits = 1 + Math.floor(next() * 8);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(next() * (text.length + 1));
      const cut = next() < 0.3 ? Math.floor(next() * 4) : 0;
      text = text.slice(0, at) + (next() < 0.8 ? pick(alphabet) : '') + text.slice(at + cut);
    }
    if (i % 10 === 0) text = Array.from({ length: 40 }, () => pick(alphabet)).join('');
    const file = join(dir, i % 2 === 0 ? `f${i}.yaml` : `f${i}`);
    await writeFile(file, text);
    const result = await loadWatchtab(file, { isRoot, resolver: createNssResolver() });
    for (const part of result.files) assert.ok(part.entries.length === 0 || part.problems.length === 0);
  }
});

test('parentheses, !, +, @ and | are literal: only *, ?, [...], {a,b} and ** make a glob', () => {
  assert.deepEqual(parsePathSpec('/srv/my (copy)/a.txt'), {
    ok: true,
    value: { kind: 'exact', path: '/srv/my (copy)/a.txt' },
  });
  assert.deepEqual(parsePathSpec('/srv/a+b@c!d|e'), {
    ok: true,
    value: { kind: 'exact', path: '/srv/a+b@c!d|e' },
  });
  const spec = parsePathSpec('/srv/my (copy)/*.txt');
  assert.deepEqual(spec, {
    ok: true,
    value: { kind: 'glob', base: '/srv/my (copy)', pattern: '/srv/my (copy)/*.txt', maxDepth: 1 },
  });
  const match = (pattern: string, path: string): boolean => compileGlob(pattern).matches(path);
  if (!spec.ok || spec.value.kind !== 'glob') return assert.fail('a glob');
  assert.equal(match(spec.value.pattern, '/srv/my (copy)/a.txt'), true);
  assert.equal(match(spec.value.pattern, '/srv/my copy/a.txt'), false);
  const alternatives = parsePathSpec('/srv/{a(1),b}/x+@|y');
  assert.ok(alternatives.ok && alternatives.value.kind === 'glob');
  if (!alternatives.ok || alternatives.value.kind !== 'glob') return;
  assert.equal(alternatives.value.base, '/srv');
  assert.equal(match(alternatives.value.pattern, '/srv/a(1)/x+@|y'), true);
  assert.equal(match(alternatives.value.pattern, '/srv/b/x+@|y'), true);
  const negated = parsePathSpec('/srv/[!x]y');
  assert.ok(negated.ok && negated.value.kind === 'glob');
  if (!negated.ok || negated.value.kind !== 'glob') return;
  assert.deepEqual(
    [match(negated.value.pattern, '/srv/zy'), match(negated.value.pattern, '/srv/xy')],
    [true, false],
  );
  const exclude = absoluteExclude('/srv/my (copy)', '*(old)');
  assert.deepEqual(exclude, { ok: true, value: '/srv/my (copy)/*(old)' });
  if (exclude.ok) assert.equal(match(exclude.value, '/srv/my (copy)/a(old)'), true);
});

test('a duration that rounds to 0 ms where 0 is not allowed is an error saying the minimum', async (t) => {
  const text = [
    'entries:',
    '  - {path: /a, events: write, command: x, timeout: 0.0001, poll-interval: 0.0004}',
    '  - {path: /b, events: write, command: x, trigger-limit-interval: 0.0002}',
    '',
  ].join('\n');
  const found = await problems(t, text, 'ms.yaml');
  assert.equal(found.length, 3);
  for (const line of found) assert.match(line, /is less than the minimum of 0\.001 seconds/);
  const classic = await load(t, '/a\twrite\t0.0001\tx\n', 'watchtab');
  assert.equal(classic.entries[0]?.delayMs, 0, 'a delay may be 0');
  const least = await load(
    t,
    'entries:\n  - {path: /a, events: write, command: x, timeout: 0.0005}\n',
    'l.yaml',
  );
  assert.equal(least.entries[0]?.timeoutMs, 1);
});

test('YAML env values keep the text as written: 01234 and 1.10 are not rewritten', async (t) => {
  const text =
    'env: {ZIP: 01234, VER: 1.10, ON: true, HEX: 0x1F}\nentries:\n  - {path: /a, events: write, command: x, env: {N: 007, F: 2.50}}\n';
  const result = await load(t, text, 'env.yaml');
  assert.deepEqual(result.problems, []);
  assert.deepEqual(result.entries[0]?.env, {
    ZIP: '01234',
    VER: '1.10',
    ON: 'true',
    HEX: '0x1F',
    N: '007',
    F: '2.50',
  });
});

test('an escaped blank at the end of a classic line stays in the command', async (t) => {
  const result = await load(
    t,
    '/a\twrite\techo hi\\\t\n/b\twrite\techo hi\\ \r\n/c\twrite\techo \\\\\t \n',
    'watchtab',
  );
  assert.deepEqual(result.problems, []);
  assert.deepEqual(
    result.entries.map((e) => e.command),
    ['echo hi\t', 'echo hi ', 'echo \\'],
  );
});

test("a YAML entry's default name is the line of its list item's dash", async (t) => {
  const text = [
    'entries:',
    '  -',
    '    # the site',
    '    path: /a',
    '    events: write',
    '    command: x',
    '  - # comment',
    '    path: /b',
    '    events: write',
    '    command: y',
    '  - {path: /c, events: write, command: z}',
    '',
  ].join('\n');
  const result = await load(t, text, 'names.yaml');
  assert.deepEqual(result.problems, []);
  assert.deepEqual(
    result.entries.map((e) => [e.name.replace(/^.*\//, ''), e.source.line]),
    [
      ['names.yaml:2', 2],
      ['names.yaml:7', 7],
      ['names.yaml:11', 11],
    ],
  );
  const missing = await problems(t, 'entries:\n  -\n    events: write\n    command: x\n', 'm.yaml');
  assert.deepEqual(missing, ['m.yaml:2: path: "path" is required']);
});

test('a byte-order mark and CRLF line ends work in both formats; duplicate YAML keys are problems with their line', async (t) => {
  const classic = await load(t, '\uFEFFA=1\r\n/a\twrite\techo hi\r\n', 'watchtab');
  assert.deepEqual(classic.problems, []);
  assert.deepEqual([classic.entries[0]?.command, classic.entries[0]?.env], ['echo hi', { A: '1' }]);
  const yaml = await load(
    t,
    '\uFEFF---\r\nentries:\r\n  - path: /a\r\n    events: write\r\n    command: echo hi\r\n',
    'crlf',
  );
  assert.deepEqual(yaml.problems, []);
  assert.deepEqual([yaml.entries[0]?.command, yaml.entries[0]?.source.line], ['echo hi', 3]);
  const duplicate = await problems(
    t,
    'entries:\n  - path: /a\n    events: write\n    path: /b\n    command: x\n',
    'd.yaml',
  );
  assert.deepEqual(duplicate, ['d.yaml:4:5: not valid YAML: Map keys must be unique']);
});
