// The status socket: a unix stream socket (mode 0600) that answers every connection with one JSON
// document describing the daemon and its entries, then closes. `watchtab status` is its client.
import { chmod, mkdir, unlink } from 'node:fs/promises';
import { createConnection, createServer, type Server } from 'node:net';
import { dirname } from 'node:path';

export interface StatusServer {
  close(): Promise<void>;
}

/** Whether something already answers on `path` (a live daemon, not a stale socket file). */
export function isSocketLive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createConnection(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

/**
 * Listens on `path`, answering with `snapshot()` as JSON. A stale socket file is removed first;
 * the caller checks `isSocketLive` before, so a running daemon's socket is never taken over.
 */
export async function serveStatus(path: string, snapshot: () => unknown): Promise<StatusServer> {
  await mkdir(dirname(path), { recursive: true, mode: 0o755 });
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  const server: Server = createServer((socket) => {
    socket.on('error', () => socket.destroy());
    socket.end(`${JSON.stringify(snapshot())}\n`);
  });
  // The socket file is created with the process umask; a window where it is wider than 0600 only
  // exposes read-only status, and it is narrowed before the daemon reports ready.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  await chmod(path, 0o600);
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        unlink(path).catch(() => undefined);
      }),
  };
}

/** The client side: reads the JSON document the daemon sends. */
export function readStatus(path: string, timeoutMs = 5000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer on ${path} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.once('end', () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  });
}
