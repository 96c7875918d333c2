// Runs every compiled test file (dist/test/**/*.test.js) with node's test runner. Node 20's
// `--test` takes no globs, and given a folder it would run the helpers too. Extra arguments
// (e.g. a file filter) are passed on: `npm test -- unit/` runs only paths containing "unit/".
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

function collect(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    if (d.isDirectory()) return collect(path);
    return d.name.endsWith('.test.js') ? [path] : [];
  });
}

const filters = process.argv.slice(2);
const files = collect('dist/test')
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error('run-tests: no test files matched');
  process.exit(1);
}
// A test that waits on a condition has its own deadline; these two are the backstop so that CI
// never hangs: no test runs past 5 minutes, and a test file whose tests are done exits even if
// something it opened (a watcher) would keep it alive — the daemon's own clean exit is checked by
// e2e tests on real processes, not by this runner.
const backstop = ['--test-timeout=300000', '--test-force-exit'];
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...backstop, ...files], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
