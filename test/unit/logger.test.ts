// The loggers: the memory logger for tests, and the daemon's, which skips lines below its level.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, createMemoryLogger } from '../../src/log/logger.js';

test('the memory logger keeps level, message and fields, and honours its level', () => {
  const log = createMemoryLogger('info');
  log.info('run ended', { entry: 'site', exitCode: 0 });
  log.debug('not kept');
  assert.deepEqual(log.records, [
    { level: 'info', message: 'run ended', fields: { entry: 'site', exitCode: 0 } },
  ]);
});

test('the daemon logger does not even read the fields of a line below its level, and writes those at or above it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'watchtab-logger-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'log');
  const logger = createLogger({ level: 'info', file });
  let reads = 0;
  const fields = {
    get costly() {
      reads += 1;
      return 'x';
    },
  };
  logger.debug('per event', fields);
  logger.info('kept', { n: 1 });
  await logger.close();
  assert.equal(reads, 0, 'a debug line at level info costs nothing');
  const text = await readFile(file, 'utf8');
  assert.match(text, /"?kept"?.*n=1/);
  assert.doesNotMatch(text, /per event/);
});
