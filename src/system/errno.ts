// errno numbers and names (Linux), so every message says ENOSPC rather than 28. The numbers are
// Node's own `os.constants.errno` (the platform's headers); no table is kept here.
import { constants } from 'node:os';

/** errno numbers by name: `ERRNO.EINTR` is 4 on Linux. */
export const ERRNO = constants.errno;

// Two names share a number (EAGAIN and EWOULDBLOCK, ENOTSUP and EOPNOTSUPP): the first listed,
// EAGAIN and ENOTSUP, is the one shown.
const NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(ERRNO)
    .reverse()
    .map(([name, errno]) => [errno, name] as const),
);

/** `ENOSPC` for 28; `errno 999` for a number the platform does not name. */
export function errnoName(errno: number): string {
  return NAMES.get(errno) ?? `errno ${errno}`;
}

/** The errno name (`ENOENT`) of a failed Node.js system call; null for any other error. */
export function errnoOf(error: unknown): string | null {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : null;
}

/** The errno name of a failed Node.js file-system call; a non-system error is a bug and rethrown. */
export function errnoCode(error: unknown): string {
  const errno = errnoOf(error);
  if (errno === null) throw error;
  return errno;
}
