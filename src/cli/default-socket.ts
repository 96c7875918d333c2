// Where the status socket lives by default: /run/watchtabd/ for root, the user's runtime folder
// otherwise (falling back to /tmp only when XDG_RUNTIME_DIR is unset).
import { join } from 'node:path';

export function defaultSocketPath(): string {
  if (process.getuid?.() === 0) return '/run/watchtabd/watchtabd.sock';
  const runtime = process.env['XDG_RUNTIME_DIR'];
  if (runtime !== undefined && runtime !== '') return join(runtime, 'watchtabd.sock');
  return join('/tmp', `watchtabd-${process.getuid?.() ?? 'user'}.sock`);
}
