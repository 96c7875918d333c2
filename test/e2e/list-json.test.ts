// `watchtab list --json` names each setting as the watchtab does (`delay`, `on-busy`, ...), in the
// watchtab's units (seconds), so a list can be read back against the file it came from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { WATCHTAB_BIN } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';
import { ENTRY_KEYS } from '../../src/watchtab/validate.js';

test('list --json: keys are the watchtab keys, durations in seconds', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'watchtab.yaml');
  await writeFile(
    file,
    'entries:\n  - name: site\n    path: /srv/site/**\n    events: [write, create]\n    delay: 0.5\n' +
      '    settle: 2\n    max-wait: 30\n    on-busy: restart\n    timeout: 90\n' +
      '    trigger-limit-burst: 7\n    trigger-limit-interval: 3\n    command: make\n',
  );
  const { stdout } = await promisify(execFile)(process.execPath, [WATCHTAB_BIN, 'list', '--json', file]);
  const [entry] = JSON.parse(stdout) as Record<string, unknown>[];
  assert.ok(entry !== undefined);
  const allowed = new Set<string>([...ENTRY_KEYS, 'source']);
  assert.deepEqual(
    Object.keys(entry).filter((k) => !allowed.has(k)),
    [],
    'every key is a watchtab key',
  );
  assert.deepEqual(
    [entry['delay'], entry['settle'], entry['max-wait'], entry['timeout'], entry['grace']],
    [0.5, 2, 30, 90, 10],
  );
  assert.equal(entry['on-busy'], 'restart');
  assert.equal(entry['trigger-limit-burst'], 7);
  assert.equal(entry['trigger-limit-interval'], 3);
  assert.equal(entry['source'], `${file}:2`);
  assert.deepEqual(entry['path'], [
    {
      kind: 'glob',
      base: '/srv/site',
      pattern: '/srv/site/**',
      maxDepth: null,
    },
  ]);
});
