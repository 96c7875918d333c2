// How ffi-rs call styles compare for inotify_add_watch (issue 3's arm time): per-call load() with a
// U8Array path (what libc.ts does), load() with a String path, and define(). Run by hand, as any
// user: `node bench/ffi-add-watch.mjs` (makes 20,000 folders under /tmp/ffibench; 3 rounds).
import { open, load, define, DataType } from 'ffi-rs';
import { mkdirSync } from 'node:fs';
open({ library: 'libc', path: 'libc.so.6' });
const N = 20000;
const root = '/tmp/ffibench';
for (let i = 0; i < N; i++) mkdirSync(`${root}/d${i}`, { recursive: true });
const init = () =>
  load({
    library: 'libc',
    funcName: 'inotify_init1',
    retType: DataType.I32,
    paramsType: [DataType.I32],
    paramsValue: [0o4000],
  });
const close = (fd) =>
  load({
    library: 'libc',
    funcName: 'close',
    retType: DataType.I32,
    paramsType: [DataType.I32],
    paramsValue: [fd],
  });
const cPath = (p) => {
  const b = Buffer.from(p);
  const o = Buffer.alloc(b.length + 1);
  b.copy(o);
  return o;
};
const d = define({
  inotify_add_watch: {
    library: 'libc',
    retType: DataType.I32,
    paramsType: [DataType.I32, DataType.String, DataType.U32],
    errno: true,
  },
});
const dU8 = define({
  inotify_add_watch: {
    library: 'libc',
    retType: DataType.I32,
    paramsType: [DataType.I32, DataType.U8Array, DataType.U32],
    errno: true,
  },
});
const dNo = define({
  inotify_add_watch: {
    library: 'libc',
    retType: DataType.I32,
    paramsType: [DataType.I32, DataType.String, DataType.U32],
  },
});
const ways = {
  'load U8Array errno (now)': (fd, p) =>
    load({
      library: 'libc',
      funcName: 'inotify_add_watch',
      retType: DataType.I32,
      paramsType: [DataType.I32, DataType.U8Array, DataType.U32],
      paramsValue: [fd, cPath(p), 0xfff],
      errno: true,
    }),
  'load String errno': (fd, p) =>
    load({
      library: 'libc',
      funcName: 'inotify_add_watch',
      retType: DataType.I32,
      paramsType: [DataType.I32, DataType.String, DataType.U32],
      paramsValue: [fd, p, 0xfff],
      errno: true,
    }),
  'define U8Array errno': (fd, p) => dU8.inotify_add_watch([fd, cPath(p), 0xfff]),
  'define String errno': (fd, p) => d.inotify_add_watch([fd, p, 0xfff]),
  'define String no errno': (fd, p) => dNo.inotify_add_watch([fd, p, 0xfff]),
};
for (let round = 0; round < 3; round++) {
  for (const [name, fn] of Object.entries(ways)) {
    const fd = init();
    const t = performance.now();
    for (let i = 0; i < N; i++) fn(fd, `${root}/d${i}`);
    const ms = performance.now() - t;
    close(fd);
    console.log(round, name.padEnd(28), ((ms * 1000) / N).toFixed(1), 'µs/call');
  }
}
