import type { WatchtabdOptions } from '../cli/watchtabd-options.js';

export async function runDaemon(_options: WatchtabdOptions): Promise<number> {
  throw new Error('daemon: not merged yet');
}
