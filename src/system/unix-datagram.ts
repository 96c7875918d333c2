// Unix datagram sockets through libc (Node has none): one socket, datagrams sent to a path or an
// abstract `@name`. Used for sd_notify and for the journal's native protocol. Sends never block:
// a receiver that is not reading makes a send fail with EAGAIN, for the caller to fall back on.
import { DataType, FfiUnavailableError, load } from './ffi.js';
import { libc } from './libc.js';
import { errnoName } from './errno.js';
import { SystemCallError } from '../errors.js';
import { systemMessages as say } from '../log/messages/system.js';

const AF_UNIX = 1;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;
const MSG_DONTWAIT = 0x40;
const MSG_NOSIGNAL = 0x4000;
const SUN_PATH_MAX = 108;

/** `sockaddr_un` bytes for a path or an `@abstract` name, and the length to pass with them. */
export function encodeUnixAddress(name: string): { readonly address: Buffer; readonly length: number } {
  const isAbstract = name.startsWith('@');
  const bytes = Buffer.from(isAbstract ? `\0${name.slice(1)}` : name);
  if (bytes.length + (isAbstract ? 0 : 1) > SUN_PATH_MAX) {
    throw new SystemCallError('sendto', 'ENAMETOOLONG', name, say.socketNameTooLong(name));
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
    throw new SystemCallError('socket', name, null, say.socketFailed(name));
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
    paramsValue: [fd, message, message.length, MSG_DONTWAIT | MSG_NOSIGNAL, address, addressLength],
    errno: true as const,
  });
  return result.value < 0 ? result.errnoCode : 0;
}

export interface DatagramSender {
  /** Sends one datagram; a failure (errno name) is returned, never thrown. */
  send(message: Buffer): SystemCallError | null;
  close(): void;
}

/** A sender to `name` (a path or `@abstract`); the socket is made at the first send. */
export function createDatagramSender(name: string): DatagramSender {
  const { address, length } = encodeUnixAddress(name);
  let fd: number | null = null;
  return {
    send(message) {
      try {
        fd ??= openDatagramSocket();
      } catch (error) {
        if (error instanceof SystemCallError) return error;
        // ffi-rs could not load: the caller falls back as for any failed send.
        if (error instanceof FfiUnavailableError) {
          return new SystemCallError('socket', 'E_FFI', name, error.message, { cause: error });
        }
        throw error;
      }
      const errno = sendDatagram(fd, message, address, length);
      if (errno === 0) return null;
      const errnoText = errnoName(errno);
      return new SystemCallError('sendto', errnoText, name, say.sendFailed(name, errnoText));
    },
    close() {
      if (fd !== null) closeFd(fd);
      fd = null;
    },
  };
}
