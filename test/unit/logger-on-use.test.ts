// The tools' logger that loads winston at its first line: the same stderr lines, in order, as the daemon's logger.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { FIXTURES, REPO_ROOT } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';

const LOGGER = pathToFileURL(join(REPO_ROOT, 'dist/src/log/logger.js')).href;
const ON_USE = pathToFileURL(join(REPO_ROOT, 'dist/src/cli/logger-on-use.js')).href;

const REGISTER = pathToFileURL(join(FIXTURES, 'record-packages', 'register.mjs')).href;

/**
 * The same calls through one logger in a fresh node: its stderr (timestamps masked), and the
 * packages it resolved before its first line at its level.
 */
function run(dir: string, make: string): { lines: string[]; loadedBeforeFirst: string[] } {
  const record = join(dir, `${Math.random().toString(36).slice(2)}.packages`);
  writeFileSync(record, '');
  const script = `
    import { appendFileSync } from 'node:fs';
    const make = ${make};
    const logger = await make('warn');
    logger.debug('below the level', { path: '/x' });
    logger.info('below the level too');
    appendFileSync(${JSON.stringify(record)}, '-- first line --\\n');
    logger.warn('first', { path: '/tmp/a b', count: 2 });
    logger.warn('no fields');
    logger.error('with %s in it', { code: 'E_X' });
    logger.warn('message field', { message: 'extra', n: 1 });
    if (logger.flushed) await logger.flushed();
    process.stderr.write('marker\\n');
    logger.warn('after the marker');
  `;
  const ran = spawnSync(process.execPath, [`--import=${REGISTER}`, '--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, WATCHTAB_TEST_PACKAGES: record },
  });
  assert.equal(ran.status, 0, ran.stderr);
  const lines = ran.stderr
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.replace(/^\d{4}-\d\d-\d\dT[\d:.]+Z /, 'TIME '));
  const packages = readFileSync(record, 'utf8').split('\n');
  return { lines, loadedBeforeFirst: packages.slice(0, packages.indexOf('-- first line --')) };
}

test('the on-use logger writes what the daemon logger writes, in order, and loads winston at its first line', async (t) => {
  const dir = await tempDir(t);
  const real = run(dir, `async (level) => (await import(${JSON.stringify(LOGGER)})).createLogger({ level })`);
  const onUse = run(
    dir,
    `async (level) => (await import(${JSON.stringify(ON_USE)})).createLoggerOnUse(level)`,
  );
  assert.deepEqual(onUse.lines, real.lines);
  assert.equal(onUse.lines.length, 6, onUse.lines.join('\n'));
  assert.equal(onUse.lines[4], 'marker');
  // The check can fail: the daemon's logger has winston loaded before its first line.
  assert.ok(real.loadedBeforeFirst.includes('winston'), real.loadedBeforeFirst.join(', '));
  assert.deepEqual(onUse.loadedBeforeFirst, [], 'lines below the level loaded a package');
});
