// Lint rules: typescript-eslint's recommended set plus the habits STYLE.md asks for (no `any`),
// and the import order of src/: cli → daemon → (watchtab, watch, run) → (system, log, errors),
// with watch/ and run/ never importing each other; inside watch/, each back-end folder builds on
// watch/kernel/ and never on another back-end. test/unit/lint-rules.test.ts shows it bites.
import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The folders (and bottom files) of src/, by what each may not import. A specifier names a folder
// as a whole path component (`../watch/` is not `../watchtab/`); type-only imports count too.
const LAYERS = {
  cli: [],
  daemon: ['cli'],
  watchtab: ['cli', 'daemon', 'watch', 'run'],
  watch: ['cli', 'daemon', 'run'],
  run: ['cli', 'daemon', 'watch'],
  system: ['cli', 'daemon', 'watchtab', 'watch', 'run'],
  log: ['cli', 'daemon', 'watchtab', 'watch', 'run', 'system'],
};
const BOTTOM = ['cli', 'daemon', 'watchtab', 'watch', 'run', 'system', 'log'];

// The watch back-ends, each a folder of src/watch/ that may import watch/kernel/ (the shared core)
// and watch/'s own files, never another back-end; the kernel imports no back-end. Read from the
// tree, so a new back-end's folder is covered without an edit here.
const BACKENDS = readdirSync(new URL('./src/watch/', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && entry.name !== 'kernel')
  .map((entry) => entry.name);

/** One `no-restricted-imports` pattern per folder `from` may not reach. */
function uphill(from, forbidden, up = '(\\.\\./)+') {
  return forbidden.map((to) => ({
    regex: `^${up}${to}(/|\\.js$)`,
    message: `${from} may not import ${to}/: imports flow cli → daemon → (watchtab, watch, run) → (system, log, errors); move the shared piece down instead.`,
  }));
}

/** One pattern per back-end folder `from` (a folder of src/watch/) may not reach. */
function sideways(from, backends) {
  return backends.map((to) => ({
    regex: `^(\\.\\./)+(watch/)?${to}/`,
    message: `watch/${from}/ may not import watch/${to}/: back-ends share only watch/kernel/ and watch/'s own files; move the shared piece into watch/kernel/.`,
  }));
}

// A later config's rule replaces an earlier one's for the same file: each back-end's list repeats
// watch/'s layer patterns.
const restrict = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });
const layerRules = [
  ...Object.entries(LAYERS).map(([from, forbidden]) => ({
    files: [`src/${from}/**/*.ts`],
    rules: restrict(uphill(from, forbidden)),
  })),
  ...[...BACKENDS, 'kernel'].map((from) => ({
    files: [`src/watch/${from}/**/*.ts`],
    rules: restrict([
      ...uphill('watch', LAYERS.watch),
      ...sideways(
        from,
        BACKENDS.filter((b) => b !== from),
      ),
    ]),
  })),
  {
    files: ['src/errors.ts', 'src/version.ts'],
    rules: restrict(uphill('errors.ts and version.ts', BOTTOM, '\\./')),
  },
];

// Every sentence a user reads lives in src/log/messages/: words given to the logger, to stdout or
// stderr, or to a typed error (`new ...Error`, or `super` in one; not JavaScript's own errors,
// which mark bugs) are a sentence written elsewhere. Codes and call names have no space.
const SENTENCE = '/[A-Za-z]+ [A-Za-z]+/';
const SINKS = [
  'CallExpression[callee.property.name=/^(debug|info|warn|error|write)$/]',
  'NewExpression[callee.name=/^(?!(Range|Type|Syntax|Reference|Eval|URI|Aggregate)Error$)[A-Z]\\w*Error$/]',
  "CallExpression[callee.type='Super']",
];
const INLINE =
  'A user-facing sentence written inline: move it to src/log/messages/ (one object of functions per concern) and call it here.';
const messageRules = {
  files: ['src/**/*.ts'],
  ignores: ['src/log/messages/**', 'src/log/messages.ts'],
  rules: {
    'no-restricted-syntax': [
      'error',
      ...SINKS.flatMap((call) => [
        { selector: `${call} > Literal[value=${SENTENCE}]`, message: INLINE },
        { selector: `${call} > TemplateLiteral > TemplateElement[value.raw=${SENTENCE}]`, message: INLINE },
        { selector: `${call} > BinaryExpression Literal[value=${SENTENCE}]`, message: INLINE },
      ]),
    ],
  },
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'bench/node_modules/', 'bench/peers/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  ...layerRules,
  messageRules,
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        performance: 'readonly',
        Buffer: 'readonly',
      },
    },
  },
);
