// The status socket: a unix stream socket (mode 0600, its owner alone may connect) that answers
// every connection with one JSON document describing the daemon and its entries, then closes; a
// client gets a few seconds to take it, and only so many clients are served at once.
// `watchtab status` is its client.
import { mkdir, unlink } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';

/** The socket's mode: only the daemon's own user (root, for the system daemon) may connect. */
const SOCKET_MODE = 0o600;
/** A connection is closed this long after it opened, whatever the client does or does not do. */
export const CLIENT_DEADLINE_MS = 5000;
/** Connections served at once; more are refused at once (a stuck client holds one for a deadline). */
export const MAX_CLIENTS = 16;

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
  const clients = new Set<Socket>();
  const server: Server = createServer((socket) => {
    clients.add(socket);
    // A client that never reads a document larger than the socket's buffer (or reads it a byte at
    // a time) must not hold the connection forever.
    const deadline = setTimeout(() => socket.destroy(), CLIENT_DEADLINE_MS);
    deadline.unref();
    socket.once('close', () => {
      clearTimeout(deadline);
      clients.delete(socket);
    });
    socket.on('error', () => socket.destroy());
    socket.resume(); // whatever a client sends is not read, only discarded
    // Once the document is with the kernel, the client can read it without us: close at once.
    socket.end(`${JSON.stringify(snapshot())}\n`, () => socket.destroy());
  });
  server.maxConnections = MAX_CLIENTS;
  await listenPrivately(server, path);
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const client of clients) client.destroy();
        unlink(path).catch(() => undefined);
      }),
  };
}

/**
 * Binds `path` already at SOCKET_MODE: a socket bound with the process's umask and narrowed after
 * (chmod) let anyone connect in between under umask 000. The umask is narrowed only around the
 * synchronous bind() inside `listen` (no other JavaScript runs meanwhile; a file the thread pool
 * creates in that instant could only come out narrower, never wider).
 */
function listenPrivately(server: Server, path: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const previous = process.umask(0o777 & ~SOCKET_MODE);
    try {
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    } finally {
      process.umask(previous);
    }
  });
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
