// Builds what ships: one ES module per program in dist/bin/ (watchtab.js, watchtabd.js), with the
// code each loads only on use (a sub-command, the daemon, the chokidar back-end, execa) split into
// chunks beside them, so a start reads a handful of files instead of ~300 modules and winston's and
// yaml's ~150 CommonJS files. Unminified, with the source file named above each module's code and a
// source map beside each file (`node --enable-source-maps` shows our .ts lines). ffi-rs stays
// external: it loads a native library from its own package folder.
import { build } from 'esbuild';
import { rmSync, writeFileSync } from 'node:fs';
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
// yaml's ES module build (the one its package.json gives browsers) instead of its CommonJS one
// (the one it gives node): the same version and code, but esbuild can hoist and trim it, where the
// CommonJS build runs all ~90 of its module bodies at load (≈ 30 ms of CPU at each start that reads
// a YAML file). The two builds differ only where they touch node: warnings (the log.js below gives
// them node's process.emitWarning again, as the CommonJS build does), `!!binary` under `%YAML 1.1`
// (a Uint8Array instead of a Buffer: a mapping to our checks either way), and yaml's own
// LOG_TOKENS/LOG_STREAM debug variables (not read by the ES module build).
const yamlEsm = {
  name: 'yaml-esm',
  setup(b) {
    const yamlDir = `${root}node_modules/yaml/`;
    b.onResolve({ filter: /^yaml$/ }, () => ({ path: `${yamlDir}browser/dist/index.js` }));
    b.onResolve({ filter: /^\.\.?\/log\.js$/ }, (args) =>
      args.importer.includes('/node_modules/yaml/browser/dist/')
        ? { path: 'yaml-log', namespace: 'yaml-log' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'yaml-log' }, () => ({
      contents: `// yaml's dist/log.js (its CommonJS build's), as an ES module.
import process from 'node:process';
export function debug(logLevel, ...messages) {
  if (logLevel === 'debug') console.log(...messages);
}
export function warn(logLevel, warning) {
  if (logLevel === 'debug' || logLevel === 'warn') {
    if (typeof process.emitWarning === 'function') process.emitWarning(warning);
    else console.warn(warning);
  }
}
`,
      loader: 'js',
    }));
  },
};

const common = {
  plugins: [yamlEsm, winstonShims],
  absWorkingDir: root,
  outdir,
  bundle: true,
  splitting: true,
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
};
// `watchtab` (for --version, --help and usage errors: watchtab-main.js) and `watchtabd`.
await build({
  ...common,
  entryPoints: [{ in: 'src/cli/watchtab.ts', out: 'watchtab-main' }, 'src/cli/watchtabd.ts'],
  chunkNames: '[name]-[hash]',
});

// Each `watchtab` sub-command as a whole program of its own, in one file (watchtab-check.js, ...):
// the same entry (src/cli/watchtab.ts) and dispatch, with that command's module and what it
// imports, the other commands left out. In the shared build a sub-command loads ~20 small chunks
// (one per set of importers), and node's ES module loader costs ~3 ms of CPU per file: more than
// the code. No splitting here: an import() inside is kept in the file and run on use, except the
// large ones loaded only for some uses, which stay files of their own (ON_USE): yaml (a YAML
// file), the user database with ffi-rs (a watchtab that names a user), winston (a line logged). One process runs one of these
// programs, so a module in two of them is never loaded twice (none holds state across them:
// yaml.ts, nss.ts and logger.ts return plain values or objects used only through their methods).
const SUBCOMMANDS = ['check', 'list', 'events', 'edit', 'status'];
const ON_USE = {
  'src/watchtab/load.ts ./yaml.js': 'yaml',
  'src/system/nss-on-use.ts ./nss.js': 'nss',
  'src/cli/logger-on-use.ts ../log/logger.js': 'logger',
};
const ON_USE_FILES = {
  yaml: 'src/watchtab/yaml.ts',
  nss: 'src/system/nss.ts',
  logger: 'src/log/logger.ts',
};
for (const [name, file] of Object.entries(ON_USE_FILES)) {
  await build({
    ...common,
    splitting: false,
    entryPoints: [{ in: file, out: `watchtab-${name}` }],
  });
}
for (const name of SUBCOMMANDS) {
  const programOf = {
    name: 'program-of-one-command',
    setup(b) {
      b.onResolve({ filter: /^\.\.?\/[a-z/.-]+\.js$/ }, (args) => {
        const importer = args.importer.slice(root.length);
        const onUse = ON_USE[`${importer} ${args.path}`];
        if (onUse !== undefined) return { path: `./watchtab-${onUse}.js`, external: true };
        // heads.ts loads each command by `import('./NAME.js')`: the other commands are never run
        // by this program; left external, they are neither bundled nor loaded.
        const other = args.path.slice(2, -3);
        if (importer === 'src/cli/commands/heads.ts' && other !== name && SUBCOMMANDS.includes(other))
          return { path: args.path, external: true };
        return undefined;
      });
    },
  };
  await build({
    ...common,
    splitting: false,
    entryPoints: [{ in: 'src/cli/watchtab.ts', out: `watchtab-${name}` }],
    plugins: [...common.plugins, programOf],
    metafile: true,
  });
}

// `watchtab` itself: hands the process to the sub-command's program, or to the whole one for
// anything else (--version, --help, no or an unknown command). Exactly the names above, as the
// first argument, as dispatch reads it; every other argument is read by that program.
writeFileSync(
  `${outdir}/watchtab.js`,
  `#!/usr/bin/env node
// Generated by scripts/bundle.mjs: \`watchtab\` loads the program for its sub-command (see there).
const SUBCOMMANDS = ${JSON.stringify(SUBCOMMANDS)};
const name = process.argv[2];
await import(SUBCOMMANDS.includes(name) ? \`./watchtab-\${name}.js\` : './watchtab-main.js');
`,
  { mode: 0o755 },
);
