// The guard every per-target piece of work runs through (watch/kernel/target-faults.ts): a throw degrades
// that target only, is logged once per errno, and is retried with back-off where that can help.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryLogger } from '../../src/log/logger.js';
import { TargetFaults } from '../../src/watch/kernel/target-faults.js';
import { waitFor } from '../helpers/wait.js';

function makeTarget(id: string) {
  return {
    id,
    scope: { named: `/w/${id}` },
    releases: 0,
    release() {
      this.releases++;
    },
  };
}

function errno(code: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${path}`), { code, path });
}

test('a throw in one target degrades it alone: released, logged once per errno, re-armed later', async (t) => {
  const logger = createMemoryLogger('debug');
  const rearmed: string[] = [];
  const faults = new TargetFaults<ReturnType<typeof makeTarget>>(logger, (target) => rearmed.push(target.id));
  const a = makeTarget('a');
  const b = makeTarget('b');
  t.after(() => {
    faults.forget(a);
    faults.forget(b);
  });
  assert.equal(
    faults.run(a, () => {
      throw errno('ENAMETOOLONG', '/w/a/deep');
    }),
    false,
  );
  assert.equal(
    faults.run(a, () => {
      throw errno('ENAMETOOLONG', '/w/a/deeper');
    }),
    false,
  );
  assert.equal(
    faults.run(b, () => {}),
    true,
  );
  assert.equal(a.releases, 2);
  assert.equal(b.releases, 0);
  const warns = logger.records.filter((r) => r.level === 'warn');
  assert.equal(warns.length, 1);
  assert.equal(warns[0]?.fields?.['entry'], 'a');
  assert.equal(warns[0]?.fields?.['path'], '/w/a/deep');
  assert.deepEqual(faults.pending(a)?.errno, 'ENAMETOOLONG');
  await waitFor(
    () => rearmed,
    (r) => r.includes('a'),
    { withinMs: 5000, what: 'the retry' },
  );
  faults.recovered(a);
  assert.equal(faults.pending(a), null);
  assert.ok(logger.records.some((r) => /armed after retrying/.test(r.message)));
});

test('a throw that is not a system error is logged with its stack and does not escape', () => {
  const logger = createMemoryLogger('info');
  const faults = new TargetFaults<ReturnType<typeof makeTarget>>(logger, () => {});
  const a = makeTarget('a');
  assert.equal(
    faults.run(a, () => {
      throw new TypeError('boom');
    }),
    false,
  );
  faults.forget(a);
  const error = logger.records.find((r) => r.level === 'error');
  assert.match(error?.message ?? '', /internal error.*boom/);
  assert.match(String(error?.fields?.['stack']), /TypeError: boom/);
});

test('left-out folders: logged once per errno; ENOSPC is retried, ENAMETOOLONG is not', () => {
  const logger = createMemoryLogger('info');
  const faults = new TargetFaults<ReturnType<typeof makeTarget>>(logger, () => {});
  const a = makeTarget('a');
  faults.leftOut(a, '/w/a/x', 'ENAMETOOLONG', null);
  faults.leftOut(a, '/w/a/y', 'ENAMETOOLONG', null);
  assert.equal(faults.pending(a), null);
  faults.leftOut(a, '/w/a/z', 'ENOSPC', 'cannot watch /w/a/z: inotify watch limit reached');
  faults.leftOut(a, '/w/a/q', 'ENOSPC', 'cannot watch /w/a/q: inotify watch limit reached');
  assert.equal(faults.pending(a)?.errno, 'ENOSPC');
  faults.forget(a);
  const warns = logger.records.filter((r) => r.level === 'warn').map((r) => r.message);
  assert.equal(warns.length, 2, warns.join('\n'));
  assert.match(warns[0] ?? '', /\/w\/a\/x is longer than the kernel accepts/);
  assert.match(warns[1] ?? '', /watch limit reached; retried with back-off/);
  assert.equal(a.releases, 0, 'a folder left out does not release the target');
});
