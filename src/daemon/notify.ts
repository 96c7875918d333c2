// sd_notify: tells the service manager the daemon is ready or reloading, over the unix datagram
// socket named by NOTIFY_SOCKET (a path, or an abstract name written `@name`). Node has no unix
// datagram sockets, so this goes through libc with ffi-rs. Without NOTIFY_SOCKET it does nothing.
import { DataType, load } from '../system/ffi.js';
import { libc } from '../system/libc.js';
import { errnoName } from '../system/errno.js';
import { SystemCallError } from '../errors.js';

const AF_UNIX = 1;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;
const SUN_PATH_MAX = 108;

export interface Notifier {
  /** Sends `state` (e.g. `READY=1`); a failure is returned, not thrown: readiness is best effort. */
  send(state: string): SystemCallError | null;
  close(): void;
}

/** `sockaddr_un` bytes for a path or an `@abstract` name, and the length to pass with them. */
export function encodeUnixAddress(name: string): { readonly address: Buffer; readonly length: number } {
  const isAbstract = name.startsWith('@');
  const bytes = Buffer.from(isAbstract ? `\0${name.slice(1)}` : name);
  if (bytes.length + (isAbstract ? 0 : 1) > SUN_PATH_MAX) {
    throw new SystemCallError('sendto', 'ENAMETOOLONG', name, `NOTIFY_SOCKET is too long: ${name}`);
  }
  const address = Buffer.alloc(2 + SUN_PATH_MAX);
  address.writeUInt16LE(AF_UNIX, 0);
  bytes.copy(address, 2);
  // A path carries its terminating NUL; an abstract name is exactly its bytes.
  return { address, length: 2 + bytes.length + (isAbstract ? 0 : 1) };
}

function openDatagramSocket(): number {
  const result = load({
    library: libc(),
    funcName: 'socket',
    retType: DataType.I32,
    paramsType: [DataType.I32, DataType.I32, DataType.I32],
    paramsValue: [AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0],
    errno: true as const,
  });
  if (result.value < 0) {
    const name = errnoName(result.errnoCode);
    throw new SystemCallError('socket', name, null, `cannot make a socket for sd_notify: ${name}`);
  }
  return result.value;
}

function closeFd(fd: number): void {
  load({
    library: libc(),
    funcName: 'close',
    retType: DataType.I32,
    paramsType: [DataType.I32],
    paramsValue: [fd],
  });
}

function sendDatagram(fd: number, message: Buffer, address: Buffer, addressLength: number): number {
  const result = load({
    library: libc(),
    funcName: 'sendto',
    retType: DataType.I64,
    paramsType: [DataType.I32, DataType.U8Array, DataType.I64, DataType.I32, DataType.U8Array, DataType.I32],
    paramsValue: [fd, message, message.length, 0, address, addressLength],
    errno: true as const,
  });
  return result.value < 0 ? result.errnoCode : 0;
}

/** A notifier for `socketName` (NOTIFY_SOCKET's value), or one that does nothing when it is unset. */
export function createNotifier(socketName: string | undefined): Notifier {
  if (socketName === undefined || socketName === '') {
    return { send: () => null, close: () => undefined };
  }
  const { address, length } = encodeUnixAddress(socketName);
  let fd: number | null = null;
  return {
    send(state) {
      try {
        fd ??= openDatagramSocket();
      } catch (error) {
        if (error instanceof SystemCallError) return error;
        throw error;
      }
      const errno = sendDatagram(fd, Buffer.from(state), address, length);
      if (errno === 0) return null;
      const name = errnoName(errno);
      return new SystemCallError('sendto', name, socketName, `sd_notify to ${socketName} failed: ${name}`);
    },
    close() {
      if (fd !== null) closeFd(fd);
      fd = null;
    },
  };
}

/** `RELOADING=1` with CLOCK_MONOTONIC in microseconds (libuv's hrtime reads that clock). */
export function reloadingState(): string {
  const monotonicUsec = process.hrtime.bigint() / 1000n;
  return `RELOADING=1\nMONOTONIC_USEC=${monotonicUsec}`;
}
