// The errno name (`ENOENT`) of a failed Node.js file-system call; a non-system error is a bug and rethrown.

export function errnoCode(error: unknown): string {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') return error.code;
  throw error;
}
