import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryLogger } from '../../src/log/logger.js';

test('the memory logger keeps level, message and fields, and honours its level', () => {
  const log = createMemoryLogger('info');
  log.info('run ended', { entry: 'site', exitCode: 0 });
  log.debug('not kept');
  assert.deepEqual(log.records, [
    { level: 'info', message: 'run ended', fields: { entry: 'site', exitCode: 0 } },
  ]);
});
