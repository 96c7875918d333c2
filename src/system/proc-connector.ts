// The kernel's process-events connector (netlink, NETLINK_CONNECTOR / CN_IDX_PROC): a message for
// every fork, setsid and exit on the system, queued at the moment it happens. watchtab reads it to
// know which processes descend from a command it started even after they have exited, which
// /proc cannot tell (loop prevention, run/own-sessions.ts). Needs CAP_NET_ADMIN (root).
//
// The socket is non-blocking and read only on demand (drain), never polled: no thread, no wake-up.
import { callLibc, type CallResult, type Param } from './ffi-call.js';
import { errnoName } from './errno.js';
import { constants } from 'node:fs';
import { DataType } from './ffi.js';
import { close, O_CLOEXEC, read } from './fd-io.js';
import { SystemCallError } from '../errors.js';
import { systemMessages as say } from '../log/messages/system.js';

/** socket(2) and setsockopt(2) numbers (linux/socket.h). */
const SOCKET = { AF_NETLINK: 16, SOCK_DGRAM: 2, SOL_SOCKET: 1, SO_RCVBUFFORCE: 33 } as const;
/** SOCK_NONBLOCK and SOCK_CLOEXEC are O_NONBLOCK and O_CLOEXEC. */
const SOCKET_FLAGS = constants.O_NONBLOCK | O_CLOEXEC;
/** The proc connector's address and message type (linux/netlink.h, linux/connector.h). */
const CONNECTOR = { NETLINK_CONNECTOR: 11, CN_IDX_PROC: 1, CN_VAL_PROC: 1, NLMSG_DONE: 3 } as const;
/** PROC_CN_MCAST_LISTEN and PROC_CN_MCAST_IGNORE (linux/cn_proc.h), by what they do. */
const MCAST_OP = { listen: 1, ignore: 2 } as const;
/** Room for some 10,000 queued messages (each is charged about 768 bytes of socket memory). */
const RECEIVE_BUFFER_BYTES = 8 << 20;

// Layout (all little-endian on the architectures we build for):
//   struct nlmsghdr { u32 len; u16 type; u16 flags; u32 seq; u32 pid; }            16 bytes
//   struct cn_msg   { u32 idx; u32 val; u32 seq; u32 ack; u16 len; u16 flags; }     20 bytes
//   struct proc_event { u32 what; u32 cpu; u64 timestamp_ns; union event_data; }   at byte 36
const NLMSG_BYTES = 16;
const CN_MSG_BYTES = 20;
const EVENT_AT = NLMSG_BYTES + CN_MSG_BYTES;
const DATA_AT = EVENT_AT + 16;

export const PROC_EVENT = { FORK: 0x1, EXEC: 0x2, SID: 0x80, EXIT: 0x80000000 } as const;

/** Where a message's `proc_event` starts: `what` (u32) there, `timestamp_ns` (CLOCK_MONOTONIC) 8 bytes on, then the event's data. */
export const PROC_EVENT_AT = { what: EVENT_AT, timestampNs: EVENT_AT + 8, data: DATA_AT } as const;

/** The events watchtab reads; every other kind (exec, uid change, comm, ...) is `other`. */
export type ProcEvent =
  | {
      readonly kind: 'fork';
      readonly parentTgid: number;
      readonly childPid: number;
      readonly childTgid: number;
    }
  | { readonly kind: 'sid'; readonly pid: number; readonly tgid: number }
  | { readonly kind: 'exit'; readonly pid: number; readonly tgid: number }
  | { readonly kind: 'other' };

/** Decodes one datagram (one netlink message) of `length` bytes; null when it is too short to hold an event. */
export function decodeProcEvent(buf: Buffer, length: number): ProcEvent | null {
  if (length < DATA_AT) return null;
  const what = buf.readUInt32LE(EVENT_AT);
  switch (what) {
    case PROC_EVENT.FORK:
      if (length < DATA_AT + 16) return null;
      return {
        kind: 'fork',
        parentTgid: buf.readInt32LE(DATA_AT + 4),
        childPid: buf.readInt32LE(DATA_AT + 8),
        childTgid: buf.readInt32LE(DATA_AT + 12),
      };
    case PROC_EVENT.SID:
    case PROC_EVENT.EXIT:
      if (length < DATA_AT + 8) return null;
      return {
        kind: what === PROC_EVENT.SID ? 'sid' : 'exit',
        pid: buf.readInt32LE(DATA_AT),
        tgid: buf.readInt32LE(DATA_AT + 4),
      };
    default:
      return { kind: 'other' };
  }
}

/** The message that subscribes (PROC_CN_MCAST_LISTEN) a bound connector socket, or unsubscribes it. */
export function listenMessage(op: 'listen' | 'ignore' = 'listen'): Buffer {
  const buf = Buffer.alloc(EVENT_AT + 4);
  buf.writeUInt32LE(buf.length, 0); // nlmsg_len
  buf.writeUInt16LE(CONNECTOR.NLMSG_DONE, 4); // nlmsg_type
  buf.writeUInt32LE(process.pid, 12); // nlmsg_pid
  buf.writeUInt32LE(CONNECTOR.CN_IDX_PROC, NLMSG_BYTES);
  buf.writeUInt32LE(CONNECTOR.CN_VAL_PROC, NLMSG_BYTES + 4);
  buf.writeUInt16LE(4, NLMSG_BYTES + 16); // cn_msg.len: the u32 that follows
  buf.writeUInt32LE(MCAST_OP[op], EVENT_AT);
  return buf;
}

function call(funcName: string, params: Param[], values: unknown[]): CallResult {
  return callLibc(funcName, DataType.I32, params, values);
}

function fail(syscall: string, result: CallResult): never {
  const errno = errnoName(result.errno);
  throw new SystemCallError(syscall, errno, null, say.procConnectorFailed(syscall, errno));
}

export interface DrainResult {
  /** Messages were dropped since the last drain (the socket's buffer was full: ENOBUFS). */
  readonly isLossy: boolean;
}

/** A subscribed connector socket. */
export class ProcConnector {
  private readonly buf = Buffer.alloc(256);
  private fd: number;

  private constructor(fd: number) {
    this.fd = fd;
  }

  /** Opens and subscribes; throws SystemCallError (EPERM without CAP_NET_ADMIN, EPROTONOSUPPORT without the connector). */
  static open(): ProcConnector {
    const socket = call(
      'socket',
      [DataType.I32, DataType.I32, DataType.I32],
      [SOCKET.AF_NETLINK, SOCKET.SOCK_DGRAM | SOCKET_FLAGS, CONNECTOR.NETLINK_CONNECTOR],
    );
    if (socket.value < 0) fail('socket', socket);
    const fd = socket.value;
    try {
      // A bigger buffer than the default ~200 KiB, so a busy moment between drains loses nothing;
      // best effort (root may force it past rmem_max; nothing is lost if it is refused).
      const size = Buffer.alloc(4);
      size.writeInt32LE(RECEIVE_BUFFER_BYTES, 0);
      call(
        'setsockopt',
        [DataType.I32, DataType.I32, DataType.I32, DataType.U8Array, DataType.I32],
        [fd, SOCKET.SOL_SOCKET, SOCKET.SO_RCVBUFFORCE, size, 4],
      );
      // struct sockaddr_nl { u16 family; u16 pad; u32 pid (0: the kernel assigns); u32 groups; }
      const address = Buffer.alloc(12);
      address.writeUInt16LE(SOCKET.AF_NETLINK, 0);
      address.writeUInt32LE(CONNECTOR.CN_IDX_PROC, 8);
      const bound = call('bind', [DataType.I32, DataType.U8Array, DataType.I32], [fd, address, 12]);
      if (bound.value < 0) fail('bind', bound);
      const message = listenMessage();
      const sent = callLibc(
        'send',
        DataType.I64,
        [DataType.I32, DataType.U8Array, DataType.U64, DataType.I32],
        [fd, message, message.length, 0],
      );
      if (sent.value < 0) fail('send', sent);
    } catch (error) {
      close(fd);
      throw error;
    }
    return new ProcConnector(fd);
  }

  /** Reads every queued message, handing each decoded event to `onEvent`, until none is left. */
  drain(onEvent: (event: ProcEvent) => void): DrainResult {
    return this.drainRaw((buf, length) => {
      const event = decodeProcEvent(buf, length);
      if (event !== null) onEvent(event);
    });
  }

  /** Reads every queued message as bytes (valid only during the call); for readers of other kinds. */
  drainRaw(onMessage: (buf: Buffer, length: number) => void): DrainResult {
    let isLossy = false;
    while (this.fd >= 0) {
      const result = read(this.fd, this.buf, this.buf.length);
      if (result.value < 0) {
        const errno = errnoName(result.errno);
        if (errno === 'ENOBUFS') {
          isLossy = true; // the kernel dropped messages; reading goes on with what follows
          continue;
        }
        if (errno === 'EINTR') continue;
        break; // EAGAIN: empty
      }
      onMessage(this.buf, result.value);
    }
    return { isLossy };
  }

  close(): void {
    if (this.fd < 0) return;
    // The kernel counts listeners and builds a message per process event while any is left; it
    // lowers the count on IGNORE, not on close.
    const message = listenMessage('ignore');
    callLibc(
      'send',
      DataType.I64,
      [DataType.I32, DataType.U8Array, DataType.U64, DataType.I32],
      [this.fd, message, message.length, 0],
    );
    close(this.fd);
    this.fd = -1;
  }
}
