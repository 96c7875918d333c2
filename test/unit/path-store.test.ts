// The compact per-path state (watch/path-store.ts) and the one-entry map of the watch table
// (watch/kernel/small-map.ts) answer as a Map does, through growth, reuse and compaction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PathStore } from '../../src/watch/path-store.js';
import { SmallMap } from '../../src/watch/kernel/small-map.js';
import type { PathState, PathType } from '../../src/watch/path-state.js';

const TYPES: readonly PathType[] = ['file', 'dir', 'symlink', 'other'];

/** A deterministic pseudo-random sequence (no flaky seeds). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

function stateFrom(next: () => number, withHash: boolean): PathState {
  return {
    type: TYPES[Math.floor(next() * 4)] ?? 'file',
    ino: Math.floor(next() * 2 ** 52), // inode numbers beyond 32 bits survive
    size: Math.floor(next() * 2 ** 40),
    mtimeMs: 1_700_000_000_000 + next() * 1e6, // fractions of a millisecond survive
    ctimeMs: 1_700_000_000_000 + next() * 1e6,
    nlink: Math.floor(next() * 70_000),
    hash: withHash && next() < 0.5 ? `h${Math.floor(next() * 1e9)}` : null,
  };
}

test('a PathStore answers as a Map of the same sets and deletes, in the same order', () => {
  const next = rng(14);
  const store = new PathStore();
  const model = new Map<string, PathState>();
  for (let round = 0; round < 20_000; round++) {
    const path = `/t/d${Math.floor(next() * 3000)}`;
    const r = next();
    if (r < 0.55) {
      const state = stateFrom(next, true);
      store.set(path, state);
      model.set(path, state);
    } else if (r < 0.97) {
      assert.equal(store.delete(path), model.delete(path));
    } else {
      store.clear();
      model.clear();
    }
    assert.equal(store.size, model.size);
    assert.deepEqual(store.get(path), model.get(path));
    assert.equal(store.has(path), model.has(path));
  }
  assert.deepEqual([...store], [...model]);
  assert.deepEqual([...store.keys()], [...model.keys()]);
});

test('a PathStore emptied of most of a large tree compacts and keeps every answer', () => {
  const next = rng(7);
  const store = new PathStore();
  const model = new Map<string, PathState>();
  for (let i = 0; i < 50_000; i++) {
    const state = stateFrom(next, i % 3 === 0);
    store.set(`/tree/${i}`, state);
    model.set(`/tree/${i}`, state);
  }
  for (let i = 0; i < 50_000; i++) {
    if (i % 97 === 0) continue;
    store.delete(`/tree/${i}`);
    model.delete(`/tree/${i}`);
  }
  assert.deepEqual([...store], [...model]);
  const kept = [...model][3];
  assert.ok(kept !== undefined);
  assert.deepEqual(store.pathsWithIno(kept[1].ino), [kept[0]]);
  assert.equal(store.typeOf(kept[0]), kept[1].type);
  assert.equal(store.typeOf('/tree/1'), undefined);
});

test('a PathStore built from entries, and its hash cleared by a state without one', () => {
  const next = rng(3);
  const a = { ...stateFrom(next, false), hash: 'abc' };
  const store = new PathStore([['/a', a]]);
  assert.equal(store.get('/a')?.hash, 'abc');
  store.set('/a', { ...a, hash: null });
  assert.equal(store.get('/a')?.hash, null);
});

test('a SmallMap answers as a Map, whichever entry goes first', () => {
  const next = rng(11);
  const small = new SmallMap<number, number>();
  const model = new Map<number, number>();
  for (let round = 0; round < 5_000; round++) {
    const key = Math.floor(next() * 5);
    if (next() < 0.5) {
      small.set(key, round);
      model.set(key, round);
    } else assert.equal(small.delete(key), model.delete(key));
    assert.equal(small.size, model.size);
    assert.equal(small.get(key), model.get(key));
    assert.equal(small.has(key), model.has(key));
    assert.deepEqual([...small], [...model]);
    assert.deepEqual([...small.values()], [...model.values()]);
  }
});
