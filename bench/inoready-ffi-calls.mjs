// CPU per ffi-rs call (utime+stime, so a shared machine's load shows less) for the calls the inotify
// arm makes per folder: getdents64 into a Buffer (U8Array) or into malloc'd memory (External), and
// getpid as the floor. By hand, as any user: `node bench/inoready-ffi-calls.mjs` (6 rounds).
import { open, load, DataType } from 'ffi-rs';
import { constants, mkdtempSync, openSync, rmSync } from 'node:fs';
open({ library: 'libc', path: 'libc.so.6' });
const dir = mkdtempSync('/tmp/watchtab-ffi-calls-');
const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
const ptr = load({
  library: 'libc',
  funcName: 'malloc',
  retType: DataType.External,
  paramsType: [DataType.U64],
  paramsValue: [32768],
});
const buf = Buffer.allocUnsafe(32768);
const getdents = (type, memory) =>
  load({
    library: 'libc',
    funcName: 'getdents64',
    retType: DataType.I64,
    paramsType: [DataType.I32, type, DataType.U64],
    paramsValue: [fd, memory, 32768],
  });
const ways = {
  'getdents64 U8Array': () => getdents(DataType.U8Array, buf),
  'getdents64 External': () => getdents(DataType.External, ptr),
  getpid: () =>
    load({ library: 'libc', funcName: 'getpid', retType: DataType.I32, paramsType: [], paramsValue: [] }),
};
const N = 20000;
const cpu = {};
for (let round = 0; round < 6; round++)
  for (const [name, call] of Object.entries(ways)) {
    const before = process.cpuUsage();
    for (let i = 0; i < N; i++) call();
    const used = process.cpuUsage(before);
    (cpu[name] ??= []).push((used.user + used.system) / N);
  }
for (const [name, values] of Object.entries(cpu))
  console.log(name.padEnd(22), values.map((v) => v.toFixed(1)).join(' '), 'µs CPU per call');
rmSync(dir, { recursive: true });
