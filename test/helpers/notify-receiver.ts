// A real sd_notify (or journal) peer for tests (Node has no unix datagram sockets, so python3 plays it).
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { FIXTURES } from './paths.js';
import { waitFor } from './wait.js';

export interface NotifyReceiver {
  /** The socket's name, as NOTIFY_SOCKET gives it. */
  readonly name: string;
  /** Every datagram received so far. */
  readonly messages: string[];
}

export function hasPython(): boolean {
  return spawnSync('python3', ['--version']).status === 0;
}

/** Binds `name`; with `isRaw`, each message is the datagram's bytes in base64 (journal records). */
export async function startNotifyReceiver(
  t: TestContext,
  name: string,
  isRaw = false,
): Promise<NotifyReceiver> {
  const child = spawn('python3', [join(FIXTURES, 'notify-receiver.py'), name, ...(isRaw ? ['base64'] : [])], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.after(() => {
    child.kill('SIGKILL');
  });
  const messages: string[] = [];
  let bound = false;
  let partial = '';
  child.stdout.on('data', (chunk: Buffer) => {
    partial += chunk.toString('utf8');
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line === 'bound') bound = true;
      else messages.push(JSON.parse(line) as string);
    }
  });
  await waitFor(
    () => bound,
    (b) => b,
    { withinMs: 15_000, what: 'the notify receiver to bind' },
  );
  return { name, messages };
}
