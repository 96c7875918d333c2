// The project's own lint rules bite: an uphill import, a watch back-end importing another, and an
// inline user-facing sentence are rejected by eslint.config.js, and the allowed forms pass (linted
// as text at a path in src/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { REPO_ROOT } from '../helpers/paths.js';

const eslint = new ESLint({ cwd: REPO_ROOT });

/** The ids of the rules `code` breaks when it is the file `path` (relative to the checkout). */
async function brokenRules(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(REPO_ROOT, path) });
  assert.ok(result !== undefined);
  return result.messages.map((m) => m.ruleId ?? m.message);
}

const UPHILL: readonly (readonly [string, string])[] = [
  ['src/daemon/x.ts', "import { VERSION } from '../cli/run-cli.js';"],
  ['src/system/x.ts', "import type { Entry } from '../watchtab/entry.js';"],
  ['src/system/x.ts', "import { parentOf } from '../watch/match.js';"],
  ['src/log/messages/x.ts', "import type { Problem } from '../../watchtab/problem.js';"],
  ['src/log/x.ts', "import { errnoName } from '../system/errno.js';"],
  ['src/watch/inotify/x.ts', "import { runCommand } from '../../run/run.js';"],
  ['src/run/x.ts', "import type { WatchEvent } from '../watch/backend.js';"],
  ['src/watchtab/x.ts', "import { compileScope } from '../watch/match.js';"],
  ['src/errors.ts', "import { msgDaemon } from './log/messages/daemon.js';"],
];

for (const [path, line] of UPHILL) {
  test(`an uphill import is rejected: ${path}: ${line}`, async () => {
    const rules = await brokenRules(path, use(line));
    assert.ok(rules.includes('no-restricted-imports'), `rules broken: ${rules.join(', ')}`);
  });
}

// Back-ends share only watch/kernel/ (and watch/'s own files); the kernel imports no back-end.
const SIDEWAYS: readonly (readonly [string, string])[] = [
  ['src/watch/fanotify/x.ts', "import { IN } from '../inotify/mask.js';"],
  ['src/watch/inotify/x.ts', "import type { FanotifyEvent } from '../fanotify/instance.js';"],
  ['src/watch/poll/x.ts', "import { createChokidarBackend } from '../chokidar/backend.js';"],
  ['src/watch/kernel/x.ts', "import { factsOf } from '../inotify/edge.js';"],
  ['src/watch/kernel/x.ts', "import { FAN } from '../fanotify/mask.js';"],
];

for (const [path, line] of SIDEWAYS) {
  test(`a back-end import across watch/ is rejected: ${path}: ${line}`, async () => {
    const rules = await brokenRules(path, use(line));
    assert.ok(rules.includes('no-restricted-imports'), `rules broken: ${rules.join(', ')}`);
  });
}

const DOWNHILL: readonly (readonly [string, string])[] = [
  ['src/cli/x.ts', "import { runDaemon } from '../daemon/daemon.js';"],
  ['src/daemon/x.ts', "import type { Entry } from '../watchtab/entry.js';"],
  ['src/watch/x.ts', "import { isWithin } from '../watchtab/path-pattern.js';"],
  ['src/watch/fanotify/x.ts', "import { FACT } from '../kernel/facts.js';"],
  ['src/watch/poll/x.ts', "import { scanTree } from '../kernel/scan.js';"],
  ['src/watch/kernel/x.ts', "import type { WatchEvent } from '../backend.js';"],
  ['src/watch/inotify/x.ts', "import { addPollClient } from '../../system/poller.js';"],
  ['src/run/x.ts', "import { errnoName } from '../system/errno.js';"],
  ['src/system/x.ts', "import { msgState } from '../log/messages/state.js';"],
  ['src/watchtab/x.ts', "import { errnoCode } from '../system/errno.js';"],
];

for (const [path, line] of DOWNHILL) {
  test(`a downhill import is allowed: ${path}: ${line}`, async () => {
    const rules = await brokenRules(path, use(line));
    assert.deepEqual(rules, []);
  });
}

/** The import `line`, and a use of what it imports (so only the import itself can be wrong). */
function use(line: string): string {
  const name = /\{ (?:type )?(\w+) \}/.exec(line)?.[1];
  assert.ok(name !== undefined, line);
  return `${line}\nexport ${line.includes('import type') ? `type Used = ${name}` : `const used = [${name}]`};\n`;
}

const INLINE: readonly (readonly [string, string])[] = [
  ['src/daemon/x.ts', "export const f = (log: { info(m: string): void }) => log.info('entry armed');"],
  [
    'src/run/x.ts',
    'export const f = (log: { warn(m: string): void }, n: number) => log.warn(`${n} runs dropped`);',
  ],
  [
    'src/system/x.ts',
    "import { SystemCallError } from '../errors.js';\nexport const e = (p: string) => new SystemCallError('open', 'EIO', p, `cannot open ${p}`);",
  ],
  [
    'src/cli/x.ts',
    "export const f = (p: string) => process.stderr.write('watchtab list: ' + p + ' is gone\\n');",
  ],
  [
    'src/watch/x.ts',
    "import { WatchtabError } from '../errors.js';\nexport class E extends WatchtabError { constructor() { super('E_X', 'it broke'); } }",
  ],
];

for (const [path, code] of INLINE) {
  test(`an inline sentence is rejected: ${path}: ${code.split('\n').at(-1) ?? ''}`, async () => {
    const rules = await brokenRules(path, code);
    assert.ok(rules.includes('no-restricted-syntax'), `rules broken: ${rules.join(', ')}`);
  });
}

const NOT_INLINE: readonly (readonly [string, string])[] = [
  ['src/log/messages/x.ts', "export const say = { armed: (): string => 'entry armed' } as const;"],
  [
    'src/daemon/x.ts',
    "import { msgDaemon } from '../log/messages/daemon.js';\nexport const f = (log: { info(m: string): void }) => log.info(msgDaemon.ready());",
  ],
  [
    'src/system/x.ts',
    "import { SystemCallError } from '../errors.js';\nexport const e = (m: string) => new SystemCallError('inotify_add_watch', 'ENOSPC', null, m);",
  ],
  ['src/watch/x.ts', 'export const e = (n: number) => new RangeError(`length ${n} exceeds the buffer`);'],
];

for (const [path, code] of NOT_INLINE) {
  test(`a sentence from log/messages/, a code or a bug's RangeError passes: ${path}`, async () => {
    assert.deepEqual(await brokenRules(path, code), []);
  });
}
