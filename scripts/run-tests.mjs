// Runs every compiled test file (dist/test/**/*.test.js) with node's test runner. Node 20's
// `--test` takes no globs, and given a folder it would run the helpers too. Extra arguments
// (e.g. a file filter) are passed on: `npm test -- unit/` runs only paths containing "unit/".
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
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
// Every process a test starts inherits this mark (test/helpers/daemon.ts adds it to daemons given
// an environment of their own), so whatever is still running once the tests are done — a daemon or
// an attack loop some test failed to stop — is found, named, killed, and fails the run: a leftover
// floods the machine's fanotify queues and makes later runs fail for no reason of their own.
const mark = randomUUID();
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...backstop, ...files], {
  stdio: 'inherit',
  env: { ...process.env, WATCHTAB_TEST_RUN: mark },
});
const leftovers = findMarked(`WATCHTAB_TEST_RUN=${mark}`);
for (const { pid, args } of leftovers) {
  console.error(`run-tests: a test left pid ${pid} running (${args}); killed`);
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone meanwhile
  }
}
process.exit(leftovers.length > 0 ? 1 : (result.status ?? 1));

/** Processes whose environment holds `entry`, with their command lines. */
function findMarked(entry) {
  const found = [];
  for (const name of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${name}/environ`, 'latin1').split('\0');
      if (!environ.includes(entry)) continue;
      const args = readFileSync(`/proc/${name}/cmdline`, 'latin1').split('\0').join(' ').trim();
      found.push({ pid: Number(name), args });
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}
