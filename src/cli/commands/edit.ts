// `watchtab edit [FILE]`: as `crontab -e` and `visudo` do, edit a private copy in $VISUAL or
// $EDITOR, check it on save, offer to edit again when it has problems, and install it atomically
// (same owner and mode, by rename, which the daemon sees as one change) only when it is valid.
import { spawnSync } from 'node:child_process';
import {
  chmod,
  chown,
  copyFile,
  mkdtemp,
  readFile,
  rename,
  rm,
  stat,
  writeFile,
  open,
} from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { loadWatchtab } from '../../watchtab/load.js';
import { createNssResolver } from '../../system/nss.js';
import { formatProblem } from '../../log/messages.js';
import { toolHelpMessages as help } from '../../log/messages/cli.js';
import { EXIT_FAILURE, EXIT_OK, type Command } from '../command.js';
import { currentInvoker, defaultWatchtab } from '../defaults.js';

/** Runs the user's editor on `path`. The path travels as "$1", never inside the shell string. */
function runEditor(path: string): number {
  const editor = process.env['VISUAL'] || process.env['EDITOR'] || 'vi';
  const result = spawnSync('/bin/sh', ['-c', 'exec $WATCHTAB_EDITOR "$1"', 'watchtab-edit', path], {
    stdio: 'inherit',
    env: { ...process.env, WATCHTAB_EDITOR: editor },
  });
  return result.status ?? 1;
}

/** Problems in the edited copy, each shown against the real file's name. */
async function problemsIn(copy: string, shownAs: string): Promise<string[]> {
  const result = await loadWatchtab(copy, {
    isRoot: process.getuid?.() === 0,
    resolver: createNssResolver(),
  });
  const main = result.files[0];
  if (main === undefined) return [];
  const lines = main.problems.map((p) => formatProblem(p).replaceAll(copy, shownAs));
  if (main.refused !== null) lines.push(`${shownAs}: ${main.refused}`);
  return lines;
}

async function askYesNo(question: string): Promise<boolean> {
  if (!process.stdin.isTTY && process.stdin.readableEnded) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: false });
  try {
    const answer = await Promise.race([
      rl.question(question),
      new Promise<string>((resolve) => rl.once('close', () => resolve(''))),
    ]);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** Writes `content` beside `target` with the original's owner and mode, syncs it, renames it over. */
async function installAtomically(target: string, content: Buffer): Promise<void> {
  const original = await stat(target).catch(() => null);
  const temp = join(dirname(target), `.${basename(target)}.watchtab-edit-${process.pid}`);
  try {
    await writeFile(temp, content, { mode: 0o600, flag: 'wx' });
    if (original !== null) await chown(temp, original.uid, original.gid);
    await chmod(temp, original === null ? 0o644 : original.mode & 0o7777);
    const handle = await open(temp, 'r');
    await handle.sync();
    await handle.close();
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

export const editCommand: Command = {
  name: 'edit',
  synopsis: 'edit [FILE]',
  summary: help.editSummary(),
  description: help.editDescription(),
  options: [],
  operands: { min: 0, max: 1 },
  async run({ operands }) {
    const target = operands[0] ?? defaultWatchtab(currentInvoker());
    const work = await mkdtemp(join(tmpdir(), 'watchtab-edit-'));
    // The copy keeps the file's name so its format (by extension) is read the same way.
    const copy = join(work, basename(target));
    try {
      await copyFile(target, copy).catch(async (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
        await writeFile(copy, '');
      });
      await chmod(copy, 0o600);
      const before = await readFile(copy);
      for (;;) {
        const status = runEditor(copy);
        if (status !== 0) {
          process.stderr.write(
            `watchtab edit: the editor exited with status ${status}; ${target} is unchanged\n`,
          );
          return EXIT_FAILURE;
        }
        const after = await readFile(copy);
        if (after.equals(before)) {
          process.stderr.write(`watchtab edit: no changes made to ${target}\n`);
          return EXIT_OK;
        }
        const problems = await problemsIn(copy, target);
        if (problems.length === 0) {
          await installAtomically(target, after);
          process.stderr.write(`watchtab edit: installed ${target}\n`);
          return EXIT_OK;
        }
        for (const line of problems) process.stderr.write(`${line}\n`);
        if (!(await askYesNo(`${target} has problems and was not installed. Edit again? [y/N] `))) {
          process.stderr.write(`watchtab edit: ${target} is unchanged\n`);
          return EXIT_FAILURE;
        }
      }
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  },
};
