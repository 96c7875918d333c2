// The catch-up state file's cost on the main thread, without a daemon: encode (sort, front-code,
// then gzip off the thread), decode and compare, for N synthetic paths (best of 5; a 1e7-step loop
// calibrates the machine's load). Run: npx tsc -p . && node bench/catch-up-codec.mjs
import { decodeKnown, encodeKnown } from '../dist/src/daemon/catch-up/state-file.js';
import { catchUpChanges } from '../dist/src/watch/catch-up-diff.js';
console.log(
  '| paths | hashes | decode ms | compare ms | encode ms | bytes/path | 1e7 loop ms |\n| ---: | --- | ---: | ---: | ---: | ---: | ---: |',
);
for (const n of [20000, 100000])
  for (const withHash of [false, true]) {
    const states = new Map();
    for (let i = 0; i < n; i++)
      states.set(`/srv/tree/folder-${i % 100}/file-${String(i).padStart(6, '0')}.txt`, {
        type: 'file',
        ino: 1000000 + i,
        size: 30 + (i % 50),
        mtimeMs: 1764541557123.4568 + i * 0.37,
        ctimeMs: 1764541557123.4568 + i * 0.37,
        nlink: 1,
        hash: withHash ? ((i * 2654435761) % 2 ** 32).toString(16).padStart(8, '0').repeat(5) : null,
      });
    const best = { encode: Infinity, decode: Infinity, diff: Infinity };
    let bytes;
    for (let r = 0; r < 5; r++) {
      let t = performance.now();
      bytes = await encodeKnown({ key: 'k', states });
      best.encode = Math.min(best.encode, performance.now() - t);
      t = performance.now();
      const k = await decodeKnown(bytes);
      best.decode = Math.min(best.decode, performance.now() - t);
      t = performance.now();
      catchUpChanges(k.states, states);
      best.diff = Math.min(best.diff, performance.now() - t);
    }
    let t = performance.now();
    let x = 0;
    for (let j = 0; j < 1e7; j++) x += j % 7;
    const loop = performance.now() - t;
    if (x < 0) throw new Error('unreachable: keeps the loop from being optimised away');
    console.log(
      `| ${n.toLocaleString('en')} | ${withHash ? 'yes' : 'no'} | ${best.decode.toFixed(0)} | ${best.diff.toFixed(0)} | ${best.encode.toFixed(0)} | ${(bytes.length / n).toFixed(1)} | ${loop.toFixed(0)} |`,
    );
  }
