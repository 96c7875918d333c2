// The bounded glob matcher: the same answers as picomatch (the matcher it replaced) on generated
// ordinary cases, the watchtab's own meaning where picomatch was wrong, and the backtracking attacks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import picomatch from 'picomatch';
import { compileGlob } from '../../src/watch/glob.js';

/** The options the watcher compiled patterns with before the bounded matcher replaced picomatch. */
const PICOMATCH_OPTIONS = { dot: true, noext: true, noextglob: true, nonegate: true } as const;

/** A small deterministic generator (mulberry32), so a failure is reproducible from its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAME_CHARS = ['a', 'b', 'c', '.', '-', 'x', ' ', '\\', '*', '[', '{', ','];

interface Token {
  readonly glob: string;
  /** A string the token matches (one of many). */
  readonly sample: (next: () => number) => string;
}

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)]!;
}

function word(next: () => number, max: number): string {
  let text = '';
  const length = Math.floor(next() * (max + 1));
  for (let i = 0; i < length; i++) text += pick(next, NAME_CHARS);
  return text;
}

const TOKENS: readonly Token[] = [
  { glob: 'a', sample: () => 'a' },
  { glob: 'b', sample: () => 'b' },
  { glob: '.', sample: () => '.' },
  { glob: '-', sample: () => '-' },
  { glob: '*', sample: (n) => word(n, 3).replace(/\//g, '') },
  { glob: '?', sample: (n) => pick(n, ['a', 'x', '.', '-']) },
  { glob: '[ab]', sample: (n) => pick(n, ['a', 'b']) },
  { glob: '[^a]', sample: (n) => pick(n, ['b', 'x', '.']) },
  { glob: '[a-c]', sample: (n) => pick(n, ['a', 'b', 'c']) },
  { glob: '[]a]', sample: (n) => pick(n, [']', 'a']) },
  { glob: '{a,bc}', sample: (n) => pick(n, ['a', 'bc']) },
  { glob: '{a,}', sample: (n) => pick(n, ['a', '']) },
  { glob: '{x,a/b}', sample: (n) => pick(n, ['x', 'a/b']) },
  { glob: '{a,{b,c}x}', sample: (n) => pick(n, ['a', 'bx', 'cx']) },
  { glob: '\\*', sample: () => '*' },
  { glob: '\\[', sample: () => '[' },
  { glob: '\\{', sample: () => '{' },
];

/** A pattern of a base and 1–4 components, each `**` or 1–4 tokens, and a path built to match it (or nearly). */
function generate(next: () => number): { pattern: string; path: string } {
  const components = 1 + Math.floor(next() * 4);
  // Under a literal base, as every watchtab glob is (picomatch's leading `/**/` needs a component).
  let pattern = '/w';
  let path = '/w';
  for (let c = 0; c < components; c++) {
    if (next() < 0.2) {
      pattern += '/**';
      const depth = Math.floor(next() * 3);
      for (let d = 0; d < depth; d++) path += `/${word(next, 3) || 'd'}`;
      continue;
    }
    pattern += '/';
    let name = '';
    const count = 1 + Math.floor(next() * 4);
    for (let k = 0; k < count; k++) {
      const token = pick(next, TOKENS);
      pattern += token.glob;
      name += token.sample(next);
    }
    path += `/${name}`;
  }
  // Half the time a change that may or may not break the match.
  if (next() < 0.5) {
    const at = Math.floor(next() * (path.length + 1));
    path = path.slice(0, at) + pick(next, ['a', '', '/', 'x/']) + path.slice(at + 1);
  }
  return { pattern, path };
}

/** Paths whose components are `.`, `..` or empty never reach the matcher (events carry normalized paths). */
function isNormalPath(path: string): boolean {
  return (
    path.startsWith('/') &&
    path
      .slice(1)
      .split('/')
      .every((c) => c !== '' && c !== '.' && c !== '..')
  );
}

/**
 * What the watchtab means where picomatch disagrees with itself: a trailing `/**` matches zero or
 * more components, so `/w/*\/**` matches `/w/x` as `/srv/**` matches `/srv` (picomatch only does
 * the second, when the component before `/**` is literal).
 */
function expectedAnswer(pattern: string, path: string): boolean {
  const isMatch = picomatch(pattern, PICOMATCH_OPTIONS)(path);
  if (isMatch || !pattern.endsWith('/**')) return isMatch;
  return picomatch(pattern.slice(0, -3), PICOMATCH_OPTIONS)(path);
}

test('the bounded matcher gives picomatch’s answers on 6,000 generated ordinary pattern/path pairs', () => {
  const next = random(20261130);
  let compared = 0;
  let matched = 0;
  const wrong: string[] = [];
  for (let i = 0; i < 6_000; i++) {
    const { pattern, path } = generate(next);
    if (!isNormalPath(path)) continue;
    const expected = expectedAnswer(pattern, path);
    if (compileGlob(pattern).matches(path) !== expected)
      wrong.push(`${JSON.stringify(pattern)} on ${JSON.stringify(path)}: expected ${expected}`);
    compared++;
    if (expected) matched++;
  }
  assert.deepEqual(wrong.slice(0, 20), []);
  // The generator must exercise both answers, or the comparison proves little.
  assert.ok(compared > 3_500, `compared ${compared}`);
  assert.ok(matched > compared / 5 && matched < (compared * 4) / 5, `matched ${matched} of ${compared}`);
});

test('globstar, star and classes as the watchtab means them', () => {
  const cases: [string, string, boolean][] = [
    ['/srv/**', '/srv', true],
    ['/srv/*/**', '/srv/x', true],
    ['/**/x', '/x', true],
    ['/srv/**', '/srv/a/b', true],
    ['/srv/**/x', '/srv/x', true],
    ['/srv/**/x', '/srv/a/b/x', true],
    ['/srv/**/x', '/srv/a/bx', false],
    ['/**', '/', true],
    ['/**', '/etc', true],
    ['/a/x**y', '/a/xzzy', true],
    ['/a/x**y', '/a/x/y', false],
    ['/a/**y', '/a/b/y', false],
    ['/a/{b,c/d}/e', '/a/c/d/e', true],
    ['/a/{b,**}/c', '/a/x/y/c', true],
    ['/a/*', '/a', false],
    ['/a/*', '/a/.hidden', true],
    ['/a/[^b]c', '/a/bc', false],
    ['/a/x[^b]c', '/a/x/c', false],
    ['/a/x?c', '/a/x/c', false],
    ['/a/[!b]', '/a/c', true],
    ['/a/[a-]', '/a/-', true],
    ['/a/?', '/a/😀', true],
    ['/a/(b)!+@|', '/a/(b)!+@|', true],
    ['/a/\\\\s', '/a/\\s', true],
    ['/a/\\*', '/a/x', false],
    ['/a/{b', '/a/{b', true],
    ['/a/[b', '/a/[b', true],
    // The literal head and tail checked before the automaton runs.
    ['/srv/**/*.log', '/srv/a.log', true],
    ['/srv/**/*.log', '/srv/a.lo', false],
    ['/srv/**/*.log', '/sr', false],
    ['/srv/*.{log,txt}', '/srv/a.txt', true],
    ['/srv/a', '/srv/a', true],
    ['/srv/a', '/srv/ab', false],
    ['/srv/**/', '/srv/', true],
    ['/srv/x/**', '/srv/x', true],
    ['/srv/x/**', '/srv/xy', false],
  ];
  for (const [pattern, path, expected] of cases)
    assert.equal(compileGlob(pattern).matches(path), expected, `${pattern} on ${JSON.stringify(path)}`);
});

test('a name holding a newline, or any character but `/` and NUL, matches `*` and `**`', () => {
  for (const name of ['x\ny', '\n', 'a\r\tb', '\u0001', '\ufffd', 'é', '\u2028']) {
    assert.equal(compileGlob('/w/**').matches(`/w/${name}`), true, JSON.stringify(name));
    assert.equal(compileGlob('/w/**').matches(`/w/${name}/deeper`), true, JSON.stringify(name));
    assert.equal(compileGlob('/w/**/*').matches(`/w/a/${name}`), true, JSON.stringify(name));
    assert.equal(compileGlob('/w/*').matches(`/w/${name}`), true, JSON.stringify(name));
    assert.equal(compileGlob('/w/?*').matches(`/w/${name}`), true, JSON.stringify(name));
  }
});

test('backtracking attacks get the right answer (the automaton has no backtracking to exploit)', () => {
  const dashes = '-'.repeat(250);
  assert.equal(compileGlob('/w/**/*-*-*-*-*.log').matches(`/w/${dashes}`), false);
  assert.equal(compileGlob('/w/**/*-*-*-*-*.log').matches(`/w/${dashes}.log`), true);
  assert.equal(compileGlob('/w/**/*-*-*-*-*.log').matches(`/w/${'a/'.repeat(2000)}${dashes}x`), false);
  const stars = `/w/${'*a'.repeat(40)}b`;
  assert.equal(compileGlob(stars).matches(`/w/${'a'.repeat(4000)}`), false);
  assert.equal(compileGlob(stars).matches(`/w/${'a'.repeat(4000)}b`), true);
  const globstars = `/w${'/**/a'.repeat(20)}/z`;
  assert.equal(compileGlob(globstars).matches(`/w${'/a'.repeat(1000)}`), false);
  assert.equal(compileGlob(globstars).matches(`/w${'/a'.repeat(1000)}/z`), true);
  const braces = `/w/${'{a,*}'.repeat(30)}b`;
  assert.equal(compileGlob(braces).matches(`/w/${'a'.repeat(3000)}`), false);
});
