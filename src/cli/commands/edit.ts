// `watchtab edit [FILE]`: as `crontab -e` and `visudo` do, edit a private copy in $VISUAL or
// $EDITOR, check it on save, offer to edit again when it has problems, and install it atomically
// (by descriptor and rename, see edit/install.ts) only when it is valid. A symbolic link is
// followed to the file it names; a folder others could tamper with is refused before any edit.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, realpath, rm, writeFile, lstat } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError, WatchtabError } from '../../errors.js';
import { loadWatchtab } from '../../watchtab/load.js';
import { createNssResolverOnUse } from '../../system/nss-on-use.js';
import { formatProblem, msgEdit } from '../../log/messages.js';
import { toolHelpMessages as help, toolLine } from '../../log/messages/cli.js';
import { errnoOf } from '../../system/errno.js';
import { EXIT_FAILURE, EXIT_OK, type Command } from '../command.js';
import { headOf } from './heads.js';
import { currentInvoker, defaultWatchtab } from '../defaults.js';
import { unsafeFolderReason } from '../edit/safe-folder.js';
import { installAtomically, placementFor, readOriginal } from '../edit/install.js';

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
    resolver: createNssResolverOnUse(),
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

/** The file to edit: a symbolic link's target (the link itself stays), else the path as given. */
async function realTarget(target: string): Promise<string> {
  try {
    return await realpath(target);
  } catch (error) {
    if (errnoOf(error) !== 'ENOENT') throw error;
    const isLink = await lstat(target).then(
      (s) => s.isSymbolicLink(),
      () => false,
    );
    if (isLink) throw new WatchtabError('E_EDIT_REFUSED', msgEdit.danglingLink(target));
    // A new watchtab: its folder must exist; the folder's real path is what is checked.
    return join(await realpath(dirname(resolve(target))), basename(target));
  }
}

function say(line: string): void {
  process.stderr.write(`${toolLine('edit', line)}\n`);
}

/** The edit loop on a private copy; returns the exit code, and whether the copy must be kept. */
async function editLoop(target: string, copy: string): Promise<{ code: number; keep: boolean }> {
  const callerUid = process.geteuid?.() ?? 0;
  const original = await readOriginal(target);
  await writeFile(copy, original.content, { mode: 0o600 });
  for (;;) {
    const status = runEditor(copy);
    const after = await readFile(copy);
    const isChanged = !after.equals(original.content);
    if (status !== 0) {
      say(msgEdit.editorFailed(status, target));
      return { code: EXIT_FAILURE, keep: isChanged };
    }
    if (!isChanged) {
      say(msgEdit.noChanges(target));
      return { code: EXIT_OK, keep: false };
    }
    const problems = await problemsIn(copy, target);
    if (problems.length === 0) {
      const placement = placementFor(target, original.stats, callerUid);
      await installAtomically(target, after, placement);
      for (const repair of placement.repairs) say(repair);
      say(msgEdit.installed(target));
      return { code: EXIT_OK, keep: false };
    }
    for (const line of problems) process.stderr.write(`${line}\n`);
    if (!(await askYesNo(msgEdit.editAgain(target)))) {
      say(msgEdit.unchanged(target));
      return { code: EXIT_FAILURE, keep: true };
    }
  }
}

export const editCommand: Command = {
  ...headOf('edit'),
  description: help.editDescription(),
  options: [],
  operands: { min: 0, max: 1 },
  async run({ operands }) {
    let work: string | null = null;
    let keep = false;
    try {
      const target = await realTarget(operands[0] ?? defaultWatchtab(currentInvoker()));
      const unsafe = await unsafeFolderReason(dirname(target), process.geteuid?.() ?? 0);
      if (unsafe !== null) throw new WatchtabError('E_EDIT_REFUSED', unsafe);
      work = await mkdtemp(join(tmpdir(), 'watchtab-edit-'));
      // The copy keeps the file's name so its format (by extension) is read the same way.
      const copy = join(work, basename(target));
      const result = await editLoop(target, copy);
      keep = result.keep;
      if (keep) say(msgEdit.editKept(copy));
      return result.code;
    } catch (error) {
      if (!(error instanceof WatchtabError) || error instanceof UsageError) throw error;
      say(error.message);
      return EXIT_FAILURE;
    } finally {
      if (work !== null && !keep) await rm(work, { recursive: true, force: true });
    }
  },
};
