// Builds what ships: one ES module per program in dist/bin/ (watchtab.js, watchtabd.js), with the
// code each loads only on use (a sub-command, the daemon, the chokidar back-end, execa) split into
// chunks beside them, so a start reads a handful of files instead of ~300 modules and winston's and
// yaml's ~150 CommonJS files. Unminified, with the source file named above each module's code and a
// source map beside each file (`node --enable-source-maps` shows our .ts lines). ffi-rs stays
// external: it loads a native library from its own package folder.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Two of winston's dependencies, resolved to less in the bundle (winston's own logging untouched):
// - its debug channel (`@dabh/diagnostics`, on only when DEBUG names `winston:*`) loads a colour-space
//   library and ANSI namespace colouring at every start, ≈ 25 ms of CPU before the first log line,
//   for output the daemon never turns on: here a function that does nothing;
// - `readable-stream` 3 is a copy of Node 10's streams (15 modules to compile and run): here Node's
//   own `stream` classes (what readable-stream itself offers with READABLE_STREAM=disable; winston
//   takes Stream, Readable's siblings and nothing else from it).
const WINSTON_SHIMS = new Map([
  ['@dabh/diagnostics', 'module.exports = function diagnostics() { return function debugOff() {}; };'],
  [
    'readable-stream',
    "const Stream = require('node:stream');\nconst { Readable, Writable, Duplex, Transform, PassThrough, finished, pipeline } = Stream;\n" +
      'module.exports = { Stream, Readable, Writable, Duplex, Transform, PassThrough, finished, pipeline };',
  ],
  ['readable-stream/lib/_stream_writable.js', "module.exports = require('node:stream').Writable;"],
]);
const winstonShims = {
  name: 'winston-shims',
  setup(b) {
    b.onResolve(
      { filter: /^(@dabh\/diagnostics|readable-stream(\/lib\/_stream_writable\.js)?)$/ },
      (args) => ({
        path: args.path,
        namespace: 'winston-shim',
      }),
    );
    b.onLoad({ filter: /.*/, namespace: 'winston-shim' }, (args) => ({
      contents: WINSTON_SHIMS.get(args.path),
      loader: 'js',
    }));
  },
};

const root = fileURLToPath(new URL('../', import.meta.url));
const outdir = `${root}dist/bin`;

// The chunks sit beside the entry points, at the same depth as dist/src/*/: src/version.ts finds
// package.json at '../../package.json' from either.
rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ['src/cli/watchtab.ts', 'src/cli/watchtabd.ts'],
  outdir,
  bundle: true,
  splitting: true,
  chunkNames: '[name]-[hash]',
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  sourcemap: true,
  minify: false,
  external: ['ffi-rs'],
  // winston, yaml and their dependencies are CommonJS: inside an ES module their require() of
  // node's built-ins needs a real require.
  banner: {
    js: "import { createRequire as createRequireForBundle } from 'node:module';\nconst require = createRequireForBundle(import.meta.url);",
  },
  logLevel: 'warning',
  plugins: [winstonShims],
});
