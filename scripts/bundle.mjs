// Builds what ships: one ES module per program in dist/bin/ (watchtab.js, watchtabd.js), with the
// code each loads only on use (a sub-command, the daemon, the chokidar back-end, execa) split into
// chunks beside them, so a start reads a handful of files instead of ~300 modules and winston's and
// yaml's ~150 CommonJS files. Unminified, with the source file named above each module's code and a
// source map beside each file (`node --enable-source-maps` shows our .ts lines). ffi-rs stays
// external: it loads a native library from its own package folder.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// winston's debug channel (`@dabh/diagnostics`, on only when DEBUG names `winston:*`) loads a
// colour-space library and its ANSI namespace colouring at every start: ≈ 25 ms of CPU before the
// first log line and ≈ 1 MiB of heap, for output the daemon never turns on. In the bundle it is a
// function that does nothing; winston's own logging is untouched.
const winstonDebugOff = {
  name: 'winston-debug-off',
  setup(b) {
    b.onResolve({ filter: /^@dabh\/diagnostics$/ }, () => ({ path: 'diagnostics-off', namespace: 'off' }));
    b.onLoad({ filter: /.*/, namespace: 'off' }, () => ({
      contents: 'module.exports = function diagnostics() { return function debugOff() {}; };',
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
  plugins: [winstonDebugOff],
});
