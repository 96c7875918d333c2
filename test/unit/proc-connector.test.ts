// The process-events connector's messages, byte by byte: the subscription we send and the events
// we read (struct nlmsghdr + struct cn_msg + struct proc_event, little-endian).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeProcEvent, listenMessage, PROC_EVENT } from '../../src/system/proc-connector.js';

/** A message as the kernel sends it: 16 + 20 header bytes, then what, cpu, timestamp, data. */
function message(what: number, data: number[]): Buffer {
  const buf = Buffer.alloc(36 + 16 + data.length * 4);
  buf.writeUInt32LE(buf.length, 0);
  buf.writeUInt32LE(1, 16); // CN_IDX_PROC
  buf.writeUInt32LE(1, 20); // CN_VAL_PROC
  buf.writeUInt16LE(16 + data.length * 4, 32);
  buf.writeUInt32LE(what, 36);
  buf.writeUInt32LE(1, 40); // cpu
  buf.writeBigUInt64LE(123456789n, 44);
  data.forEach((v, i) => buf.writeInt32LE(v, 52 + i * 4));
  return buf;
}

test('fork, setsid and exit events decode to the pids watchtab follows; other kinds are told apart', () => {
  const fork = message(PROC_EVENT.FORK, [100, 101, 202, 203]);
  assert.deepEqual(decodeProcEvent(fork, fork.length), {
    kind: 'fork',
    parentTgid: 101,
    childPid: 202,
    childTgid: 203,
  });
  const sid = message(PROC_EVENT.SID, [300, 300]);
  assert.deepEqual(decodeProcEvent(sid, sid.length), { kind: 'sid', pid: 300, tgid: 300 });
  const exit = message(PROC_EVENT.EXIT, [400, 401, 0, 17, 1, 1]);
  assert.deepEqual(decodeProcEvent(exit, exit.length), { kind: 'exit', pid: 400, tgid: 401 });
  const exec = message(0x2, [500, 500]);
  assert.deepEqual(decodeProcEvent(exec, exec.length), { kind: 'other' });
  const ack = message(0, [0]);
  assert.deepEqual(decodeProcEvent(ack, ack.length), { kind: 'other' });
});

test('a message too short for its event is not decoded', () => {
  const fork = message(PROC_EVENT.FORK, [100, 101, 202, 203]);
  assert.equal(decodeProcEvent(fork, 40), null, 'not even the event header');
  assert.equal(decodeProcEvent(fork, 60), null, 'a fork without its child');
  const sid = message(PROC_EVENT.SID, [300, 300]);
  assert.equal(decodeProcEvent(sid, 56), null);
});

test('the subscription is one netlink message carrying PROC_CN_MCAST_LISTEN to the proc connector', () => {
  const buf = listenMessage();
  assert.equal(buf.length, 40);
  assert.equal(buf.readUInt32LE(0), 40, 'nlmsg_len');
  assert.equal(buf.readUInt16LE(4), 3, 'NLMSG_DONE');
  assert.equal(buf.readUInt32LE(12), process.pid, 'nlmsg_pid');
  assert.deepEqual([buf.readUInt32LE(16), buf.readUInt32LE(20)], [1, 1], 'CN_IDX_PROC, CN_VAL_PROC');
  assert.equal(buf.readUInt16LE(32), 4, 'cn_msg.len');
  assert.equal(buf.readUInt32LE(36), 1, 'PROC_CN_MCAST_LISTEN');
});
