// The daemon's state folder (--state-dir): made 0700 when missing, refused when it is not a folder
// of ours that only we can write, and written only by atomic replacement (a temp file opened with
// O_EXCL|O_NOFOLLOW inside it, written, fsynced, renamed over the name, the folder fsynced), so a
// crash at any moment leaves either the old content or the new one, never a torn file.
import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir, rename, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { WatchtabError } from '../errors.js';
import { msgState } from '../log/messages/state.js';
import { errnoOf } from './errno.js';

/** State file names are the daemon's own, never a user's: one plain component. */
const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
/** A state file larger than this is not one the daemon wrote; reading it would only cost memory. */
export const STATE_FILE_MAX_BYTES = 16 * 1024 * 1024;

/** The folder or a file in it cannot be used; `reason` completes a sentence about `path`. */
export class StateDirError extends WatchtabError {
  constructor(
    readonly path: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super('E_STATE_DIR', `${path} ${reason}`, options);
  }
}

export interface StateDir {
  readonly path: string;
  /** The content of `name`, or null when it does not exist; a symbolic link or an oversized file is an error. */
  read(name: string): Promise<string | null>;
  /** The same, as bytes. */
  readBytes(name: string): Promise<Buffer | null>;
  /** Replaces `name` with `text` atomically (and durably). */
  write(name: string, text: string | Uint8Array): Promise<void>;
  /** The names of the state files there (temp files left out). */
  list(): Promise<string[]>;
  /** Removes `name`; one that is already gone is no error. */
  remove(name: string): Promise<void>;
}

/** The errno name of a failed fs call (ENOSPC), else its message. */
export function reasonOf(error: unknown): string {
  if (error instanceof StateDirError) return error.reason;
  return errnoOf(error) ?? (error instanceof Error ? error.message : String(error));
}

/** Makes (0700) or checks the folder; throws a StateDirError saying why it cannot be used. */
export async function openStateDir(path: string): Promise<StateDir> {
  try {
    await mkdir(path, { recursive: true, mode: 0o700 });
  } catch (error) {
    // EEXIST: something else has the name; the check below says what.
    if (reasonOf(error) !== 'EEXIST')
      throw new StateDirError(path, msgState.cannotMake(reasonOf(error)), { cause: error });
  }
  const st = await lstat(path).catch((error: unknown) => {
    throw new StateDirError(path, msgState.cannotRead(reasonOf(error)), { cause: error });
  });
  if (!st.isDirectory()) throw new StateDirError(path, msgState.notFolder());
  const euid = process.geteuid?.() ?? 0;
  if (st.uid !== euid) throw new StateDirError(path, msgState.notOurs(st.uid, euid));
  if ((st.mode & 0o022) !== 0) throw new StateDirError(path, msgState.openToOthers());
  const dir = new FolderState(path);
  // Writable now, or not at all: say so at start rather than at the first record.
  await dir.write('probe', '').catch((error: unknown) => {
    throw new StateDirError(path, msgState.cannotWrite(reasonOf(error)), { cause: error });
  });
  await unlink(`${path}/probe`).catch(() => undefined);
  return dir;
}

class FolderState implements StateDir {
  constructor(readonly path: string) {}

  private fileOf(name: string): string {
    if (!NAME.test(name)) throw new Error(`bad state file name ${JSON.stringify(name)}`);
    return `${this.path}/${name}`;
  }

  async read(name: string): Promise<string | null> {
    return (await this.readBytes(name))?.toString('utf8') ?? null;
  }

  async list(): Promise<string[]> {
    return (await readdir(this.path)).filter((name) => NAME.test(name));
  }

  async remove(name: string): Promise<void> {
    try {
      await unlink(this.fileOf(name));
    } catch (error) {
      if (reasonOf(error) !== 'ENOENT') throw error;
    }
  }

  async readBytes(name: string): Promise<Buffer | null> {
    let handle;
    try {
      handle = await open(
        this.fileOf(name),
        constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK,
      );
    } catch (error) {
      if (reasonOf(error) === 'ENOENT') return null;
      throw new StateDirError(this.fileOf(name), msgState.cannotRead(reasonOf(error)), { cause: error });
    }
    try {
      const st = await handle.stat();
      if (!st.isFile() || st.size > STATE_FILE_MAX_BYTES)
        throw new StateDirError(this.fileOf(name), msgState.notStateFile());
      return await handle.readFile();
    } finally {
      await handle.close();
    }
  }

  async write(name: string, text: string | Uint8Array): Promise<void> {
    const target = this.fileOf(name);
    const temp = `${this.path}/.${name}.${randomBytes(6).toString('hex')}.tmp`;
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
    const handle = await open(temp, flags, 0o600);
    try {
      try {
        await handle.writeFile(text);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, target);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    // The rename is durable once the folder itself is synced.
    const folder = await open(this.path, constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
  }
}
