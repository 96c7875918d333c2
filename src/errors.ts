// Error classes for runtime failures, each with a stable `code`. Watchtab mistakes are not errors
// but values (`Problem`, in watchtab/); these are for what goes wrong while running. One spelling
// of codes: `E_WORDS` for watchtab's own (E_USAGE, E_FFI), the kernel's errno name (ENOSPC) for a
// SystemCallError, never an invented errno-like name.

/** Base of every expected (user or environment) failure: a stable code and an actionable message. */
export class WatchtabError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A system call failed; `errno` is the errno *name* (ENOSPC), never the number. */
export class SystemCallError extends WatchtabError {
  readonly call: string;
  readonly errno: string;
  readonly path: string | null;
  constructor(
    call: string,
    errno: string,
    path: string | null,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(errno, message, options);
    this.call = call;
    this.errno = errno;
    this.path = path;
  }
}

/** Bad command-line usage: the CLI prints the message with a hint and exits 2. */
export class UsageError extends WatchtabError {
  constructor(message: string) {
    super('E_USAGE', message);
  }
}

/** For exhaustive switches over unions: a new member that is not handled fails to compile. */
export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
