// The shipped shell completions, loaded in a real bash (and zsh when installed): they answer, and
// they offer exactly the commands, options and values of the programs' own option tables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { WATCHTABD_FLAGS } from '../../src/cli/watchtabd-options.js';
import { LOG_LEVELS } from '../../src/log/logger.js';
import { BACKEND_CHOICES } from '../../src/watchtab/entry.js';
import { REPO_ROOT } from '../helpers/paths.js';

const BASH_FILE = join(REPO_ROOT, 'completions', 'watchtab.bash');
const ZSH_FILE = join(REPO_ROOT, 'completions', '_watchtab');

function hasShell(name: string): boolean {
  return spawnSync(name, ['-c', 'exit 0']).status === 0;
}

/** What bash completes for the words of a command line (the last one being completed). */
function bashComplete(words: readonly string[]): string[] {
  const program = words[0] === 'watchtabd' ? '_watchtabd' : '_watchtab';
  const script = [
    `source "$1"`,
    'shift',
    'COMP_WORDS=("$@")',
    'COMP_CWORD=$(($# - 1))',
    program,
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  const ran = spawnSync('bash', ['--norc', '-c', script, 'bash', BASH_FILE, ...words], { encoding: 'utf8' });
  assert.equal(ran.status, 0, ran.stderr);
  return ran.stdout.split('\n').filter((l) => l !== '');
}

const sorted = (list: Iterable<string>) => [...list].sort();

test(
  'bash: loading the file registers both programs',
  { skip: hasShell('bash') ? false : 'bash is not installed' },
  () => {
    const ran = spawnSync(
      'bash',
      ['--norc', '-c', 'source "$1" && complete -p watchtab watchtabd', 'bash', BASH_FILE],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(ran.status, 0, ran.stderr);
    assert.match(ran.stdout, /-F _watchtab watchtab$/m);
    assert.match(ran.stdout, /-F _watchtabd watchtabd$/m);
  },
);

test(
  "bash: commands, each command's options and watchtabd's options and values, as the tables say",
  {
    skip: hasShell('bash') ? false : 'bash is not installed',
  },
  () => {
    assert.deepEqual(bashComplete(['watchtab', 'ch']), ['check']);
    assert.deepEqual(
      sorted(bashComplete(['watchtab', ''])),
      sorted([...COMMANDS.map((c) => c.name), '--help', '--version']),
    );
    for (const command of COMMANDS) {
      assert.deepEqual(
        sorted(bashComplete(['watchtab', command.name, '-'])),
        sorted([...command.options.map((o) => `--${o.long}`), '--help']),
        command.name,
      );
    }
    assert.deepEqual(bashComplete(['watchtab', 'list', '--j']), ['--json']);
    assert.deepEqual(
      sorted(bashComplete(['watchtabd', '-'])),
      sorted(WATCHTABD_FLAGS.map((o) => `--${o.long}`)),
    );
    assert.deepEqual(sorted(bashComplete(['watchtabd', '--log-level', ''])), sorted(LOG_LEVELS));
    assert.deepEqual(sorted(bashComplete(['watchtabd', '--backend', ''])), sorted(BACKEND_CHOICES));
    // A FILE operand completes file names.
    assert.ok(
      bashComplete(['watchtab', 'check', join(REPO_ROOT, 'watchtab.ex')]).includes(
        join(REPO_ROOT, 'watchtab.example'),
      ),
    );
  },
);

test('zsh: the file parses and names every option of the tables', async (t) => {
  const text = await readFile(ZSH_FILE, 'utf8');
  for (const option of [...WATCHTABD_FLAGS, ...COMMANDS.flatMap((c) => c.options)]) {
    assert.ok(text.includes(`--${option.long}`), option.long);
  }
  for (const value of [...LOG_LEVELS, ...BACKEND_CHOICES]) assert.ok(text.includes(value), value);
  if (!hasShell('zsh')) {
    t.skip('zsh is not installed: the file was read but not loaded');
    return;
  }
  const ran = spawnSync('zsh', ['-n', ZSH_FILE], { encoding: 'utf8' });
  assert.equal(ran.status, 0, ran.stderr);
});
