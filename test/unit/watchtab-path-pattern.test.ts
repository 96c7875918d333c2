import { test } from 'node:test';
import assert from 'node:assert/strict';
import picomatch from 'picomatch';
import {
  absoluteExclude,
  escapeGlob,
  expandWatchtabDir,
  isWithin,
  normalizeAbsolute,
  parsePathSpec,
} from '../../src/watchtab/path-pattern.js';

test('a path without glob characters is exact, normalized', () => {
  assert.deepEqual(parsePathSpec('/etc/nginx/nginx.conf'), {
    ok: true,
    value: { kind: 'exact', path: '/etc/nginx/nginx.conf' },
  });
  assert.deepEqual(parsePathSpec('//etc/./nginx//'), {
    ok: true,
    value: { kind: 'exact', path: '/etc/nginx' },
  });
  assert.deepEqual(parsePathSpec('/'), { ok: true, value: { kind: 'exact', path: '/' } });
});

test('a glob splits into its static base folder, its absolute pattern and how deep it reaches', () => {
  const cases: [string, string, number][] = [
    ['/srv/site/src/**/*.md', '/srv/site/src', Infinity],
    ['/srv/site/**', '/srv/site', Infinity],
    ['/srv/*/x', '/srv', 2],
    ['/var/log/*.log', '/var/log', 1],
    ['/a/[ab]/c', '/a', 2],
    ['/etc/{a,b}.conf', '/etc', 1],
    ['/a/{b,c/d}/*.x', '/a', 3],
    ['/*', '/', 1],
  ];
  for (const [path, base, maxDepth] of cases) {
    assert.deepEqual(
      parsePathSpec(path),
      { ok: true, value: { kind: 'glob', base, pattern: path, maxDepth } },
      path,
    );
  }
});

test('escaped glob characters are literal: an exact path without its escapes, or a literal base', () => {
  assert.deepEqual(parsePathSpec('/tmp/a\\*b'), { ok: true, value: { kind: 'exact', path: '/tmp/a*b' } });
  const spec = parsePathSpec('/tmp/a\\*b/*.txt');
  assert.deepEqual(spec, {
    ok: true,
    value: { kind: 'glob', base: '/tmp/a*b', pattern: '/tmp/a\\*b/*.txt', maxDepth: 1 },
  });
  assert.ok(picomatch('/tmp/a\\*b/*.txt', { dot: true })('/tmp/a*b/x.txt'));
  assert.ok(!picomatch('/tmp/a\\*b/*.txt', { dot: true })('/tmp/axb/x.txt'));
});

test('relative and empty paths are errors; ".." is resolved by text before a glob, an error after one', () => {
  assert.deepEqual(parsePathSpec('etc/x'), { ok: false, error: 'relative' });
  assert.deepEqual(parsePathSpec(''), { ok: false, error: 'empty' });
  assert.deepEqual(parsePathSpec('/srv/site/../other/*.md'), {
    ok: true,
    value: { kind: 'glob', base: '/srv/other', pattern: '/srv/other/*.md', maxDepth: 1 },
  });
  assert.deepEqual(parsePathSpec('/../..'), { ok: true, value: { kind: 'exact', path: '/' } });
  assert.deepEqual(parsePathSpec('/srv/*/../x'), { ok: false, error: 'dotdot' });
  assert.deepEqual(normalizeAbsolute('/srv/[x]/../y', false), { ok: true, value: '/srv/y' });
});

test('relative excludes are anchored at the watch base; absolute ones are normalized', () => {
  assert.deepEqual(absoluteExclude('/srv/site', '**/.git/**'), { ok: true, value: '/srv/site/**/.git/**' });
  assert.deepEqual(absoluteExclude('/srv/site', '*.tmp'), { ok: true, value: '/srv/site/*.tmp' });
  assert.deepEqual(absoluteExclude('/', '*.tmp'), { ok: true, value: '/*.tmp' });
  assert.deepEqual(absoluteExclude('/srv/site', '/srv//cache/**'), { ok: true, value: '/srv/cache/**' });
  assert.deepEqual(absoluteExclude('/srv/site', ''), { ok: false, error: 'empty' });
  const isExcluded = picomatch('/srv/site/**/.git/**', { dot: true });
  assert.ok(isExcluded('/srv/site/a/.git/HEAD'));
  assert.ok(isExcluded('/srv/site/.git/HEAD'));
  assert.ok(!isExcluded('/srv/site/a/git/HEAD'));
});

test('containment is decided on whole path components', () => {
  assert.equal(isWithin('/var/lib/x', '/var/lib'), true);
  assert.equal(isWithin('/var/lib', '/var/lib'), true);
  assert.equal(isWithin('/var/lib', '/var/lib/'), true);
  assert.equal(isWithin('/var/lib_x', '/var/lib'), false);
  assert.equal(isWithin('/var/lib_x/y', '/var/lib'), false);
  assert.equal(isWithin('/var', '/var/lib'), false);
  assert.equal(isWithin('/anything', '/'), true);
});

test('a base folder with glob characters stays literal in relative excludes and in ${WATCHTAB_DIR}', () => {
  assert.deepEqual(absoluteExclude('/srv/a[1]', '*.tmp'), { ok: true, value: '/srv/a\\[1\\]/*.tmp' });
  assert.ok(picomatch('/srv/a\\[1\\]/*.tmp', { dot: true })('/srv/a[1]/x.tmp'));
  assert.equal(escapeGlob('/x/{a}*?(b)!'), '/x/\\{a\\}\\*\\?\\(b\\)\\!');
  const spec = parsePathSpec(expandWatchtabDir('${WATCHTAB_DIR}/demo/*.md', '/home/u/my[proj]', true));
  assert.deepEqual(spec, {
    ok: true,
    value: {
      kind: 'glob',
      base: '/home/u/my[proj]/demo',
      pattern: '/home/u/my\\[proj\\]/demo/*.md',
      maxDepth: 1,
    },
  });
  assert.equal(expandWatchtabDir('${WATCHTAB_DIR}/x', '/home/u/my[proj]', false), '/home/u/my[proj]/x');
});
