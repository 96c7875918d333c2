// A watchtab path into an exact path or a glob's base, pattern and depth; escapes and bad paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileGlob } from '../../src/watch/glob.js';
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
  assert.ok(compileGlob('/tmp/a\\*b/*.txt').matches('/tmp/a*b/x.txt'));
  assert.ok(!compileGlob('/tmp/a\\*b/*.txt').matches('/tmp/axb/x.txt'));
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
  const isExcluded = (path: string): boolean => compileGlob('/srv/site/**/.git/**').matches(path);
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
  assert.ok(compileGlob('/srv/a\\[1\\]/*.tmp').matches('/srv/a[1]/x.tmp'));
  assert.equal(escapeGlob('/x/{a,b}*?(b)!\\'), '/x/\\{a\\,b\\}\\*\\?(b)!\\\\');
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

test('a backslash escapes only a glob character or a backslash; before anything else it is itself', () => {
  // What the classic parser hands over for `/srv/back\\slash` (its `\\` is one backslash).
  assert.deepEqual(parsePathSpec('/srv/back\\slash'), {
    ok: true,
    value: { kind: 'exact', path: '/srv/back\\slash' },
  });
  assert.deepEqual(parsePathSpec('/srv/a\\\\b'), { ok: true, value: { kind: 'exact', path: '/srv/a\\b' } });
  assert.deepEqual(parsePathSpec('/srv/trailing\\'), {
    ok: true,
    value: { kind: 'exact', path: '/srv/trailing\\' },
  });
  const spec = parsePathSpec('/srv/back\\slash/*.txt');
  assert.deepEqual(spec, {
    ok: true,
    value: { kind: 'glob', base: '/srv/back\\slash', pattern: '/srv/back\\\\slash/*.txt', maxDepth: 1 },
  });
  if (!spec.ok || spec.value.kind !== 'glob') return;
  assert.equal(compileGlob(spec.value.pattern).matches('/srv/back\\slash/a.txt'), true);
  assert.equal(compileGlob(spec.value.pattern).matches('/srv/backslash/a.txt'), false);
  // A backslash before a glob character or a backslash still escapes it.
  const star = parsePathSpec('/srv/\\\\*');
  assert.ok(star.ok && star.value.kind === 'glob');
  if (star.ok && star.value.kind === 'glob')
    assert.equal(compileGlob(star.value.pattern).matches('/srv/\\x'), true);
});
