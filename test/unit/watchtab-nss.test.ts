// Users and groups through the C library's NSS: by name, by number, unknown, and many lookups.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNssResolver, groupList, lookupGroup, lookupUser } from '../../src/system/nss.js';

const resolver = createNssResolver();

test('root resolves through NSS', async () => {
  assert.deepEqual(await resolver.resolve('root', null), {
    kind: 'ok',
    runAs: { user: 'root', uid: 0, group: 'root', gid: 0, groups: groupList('root', 0), home: '/root' },
  });
  assert.ok(groupList('root', 0).includes(0));
});

test('nobody resolves with its primary group, or the group given by name or number', async () => {
  const pw = lookupUser('nobody');
  assert.equal(pw.kind, 'found');
  if (pw.kind !== 'found') return;
  assert.equal(pw.value.uid, 65534);
  const primary = lookupGroup(pw.value.gid);
  assert.equal(primary.kind, 'found');
  const byDefault = await resolver.resolve('nobody', null);
  assert.equal(byDefault.kind, 'ok');
  if (byDefault.kind !== 'ok') return;
  assert.equal(byDefault.runAs.uid, 65534);
  assert.equal(byDefault.runAs.gid, pw.value.gid);
  assert.equal(byDefault.runAs.group, primary.kind === 'found' ? primary.value.name : '');
  assert.ok(byDefault.runAs.groups.includes(pw.value.gid));
  const withRoot = await resolver.resolve('nobody', 'root');
  assert.equal(withRoot.kind === 'ok' && withRoot.runAs.gid, 0);
  assert.deepEqual(await resolver.resolve('65534', '0'), await resolver.resolve('nobody', 'root'));
});

test('an unknown user or group is reported as such, not as a failure', async () => {
  assert.deepEqual(await resolver.resolve('no_such_user_watchtab', null), { kind: 'no-user' });
  assert.deepEqual(await resolver.resolve('root', 'no_such_group_watchtab'), { kind: 'no-group' });
  assert.deepEqual(lookupUser('4000000000'), { kind: 'missing' });
});

test('long lists of lookups do not leak or corrupt: the same answer a hundred times', () => {
  const first = lookupUser('root');
  for (let i = 0; i < 100; i++) assert.deepEqual(lookupUser('root'), first);
});
