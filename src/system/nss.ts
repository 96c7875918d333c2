// Users and groups through the C library's NSS functions (getpwnam_r, getgrnam_r, getgrouplist...),
// so users from LDAP or sssd resolve as they do for login; /etc/passwd is never parsed here. The
// only ffi-rs caller for accounts. Decodes glibc's LP64 `struct passwd`/`struct group`.
import { DataType, load } from './ffi.js';
import { ERRNO, errnoName } from './errno.js';
import { libc } from './libc.js';
import { MAX_ID } from './account-id.js';

const { ERANGE } = ERRNO;
/** Codes getpwnam_r(3) and friends may return for "no such entry". */
const NOT_FOUND = new Set([0, ERRNO.ENOENT, ERRNO.ESRCH, ERRNO.EBADF, ERRNO.EPERM]);
const FIRST_BUFFER = 4096;
const LAST_BUFFER = 1 << 20;

// struct passwd { char *pw_name; char *pw_passwd; uid_t pw_uid; gid_t pw_gid; char *pw_gecos; char *pw_dir; char *pw_shell; }
const PASSWD_SIZE = 48;
// struct group { char *gr_name; char *gr_passwd; gid_t gr_gid; char **gr_mem; }
const GROUP_SIZE = 32;

/** An account a command can run as: user, primary group, supplementary groups, home. */
export interface Account {
  readonly user: string;
  readonly uid: number;
  readonly group: string;
  readonly gid: number;
  /** Supplementary groups as `getgrouplist` gives them (includes `gid`). */
  readonly groups: readonly number[];
  readonly home: string;
}

export type AccountResolution =
  | { readonly kind: 'ok'; readonly runAs: Account }
  | { readonly kind: 'no-user' }
  | { readonly kind: 'no-group' }
  /** The database itself failed (LDAP down...): `errno` is its name, e.g. EIO. */
  | { readonly kind: 'failed'; readonly what: 'user' | 'group'; readonly errno: string };

/** Looks accounts up in the system's user database. */
export interface AccountResolver {
  /**
   * Resolves `user` (a name, or a uid when all digits) and `group` (likewise; null: the user's
   * primary group) into the account a command runs as, with its supplementary groups.
   */
  resolve(user: string, group: string | null): Promise<AccountResolution>;
}

export interface UserRecord {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

export interface GroupRecord {
  readonly name: string;
  readonly gid: number;
}

export type Lookup<T> =
  | { readonly kind: 'found'; readonly value: T }
  | { readonly kind: 'missing' }
  | { readonly kind: 'failed'; readonly errno: string };

/** The address of a Buffer's memory: memset(buf, 0, 0) returns its first argument. */
function addressOf(buffer: Buffer): bigint {
  // ffi-rs hands a Buffer to C in place (no copy), so this is where C wrote the strings.
  return load({
    library: libc(),
    funcName: 'memset',
    retType: DataType.BigInt,
    paramsType: [DataType.U8Array, DataType.I32, DataType.I64],
    paramsValue: [buffer, 0, 0],
  }) as unknown as bigint; // ffi-rs types BigInt results as the BigInt wrapper; the value is a bigint
}

/** Reads the NUL-terminated string a struct field points at, inside `strings`. */
function stringAt(pointer: bigint, strings: Buffer, stringsAddress: bigint): string {
  const offset = Number(pointer - stringsAddress);
  if (pointer === 0n || offset < 0 || offset >= strings.length) return '';
  const end = strings.indexOf(0, offset);
  return strings.toString('utf8', offset, end < 0 ? strings.length : end);
}

type Call = (record: Buffer, strings: Buffer, result: Buffer) => number;

/** Runs a `*_r` lookup, growing the string buffer on ERANGE; decodes the record when found. */
function lookup<T>(
  recordSize: number,
  call: Call,
  decode: (record: Buffer, strings: Buffer, at: bigint) => T,
): Lookup<T> {
  if (process.arch !== 'x64' && process.arch !== 'arm64') {
    throw new Error(`nss: struct layouts are known for x64 and arm64 only, not ${process.arch}`);
  }
  for (let size = FIRST_BUFFER; size <= LAST_BUFFER; size *= 4) {
    const record = Buffer.alloc(recordSize);
    const strings = Buffer.alloc(size);
    const result = Buffer.alloc(8);
    const code = call(record, strings, result);
    if (code === ERANGE) continue;
    if (result.readBigUInt64LE(0) !== 0n)
      return { kind: 'found', value: decode(record, strings, addressOf(strings)) };
    return NOT_FOUND.has(code) ? { kind: 'missing' } : { kind: 'failed', errno: errnoName(code) };
  }
  return { kind: 'failed', errno: 'ERANGE' };
}

function callR(funcName: string, key: string | number): Call {
  const keyType = typeof key === 'string' ? DataType.String : DataType.U32;
  return (record, strings, result) =>
    load({
      library: libc(),
      funcName,
      retType: DataType.I32,
      paramsType: [keyType, DataType.U8Array, DataType.U8Array, DataType.U64, DataType.U8Array],
      paramsValue: [key, record, strings, strings.length, result],
    });
}

function decodePasswd(record: Buffer, strings: Buffer, at: bigint): UserRecord {
  return {
    name: stringAt(record.readBigUInt64LE(0), strings, at),
    uid: record.readUInt32LE(16),
    gid: record.readUInt32LE(20),
    home: stringAt(record.readBigUInt64LE(32), strings, at),
  };
}

function decodeGroup(record: Buffer, strings: Buffer, at: bigint): GroupRecord {
  return { name: stringAt(record.readBigUInt64LE(0), strings, at), gid: record.readUInt32LE(16) };
}

const isNumeric = (text: string): boolean => /^[0-9]+$/.test(text);

const isValidId = (id: number): boolean => Number.isInteger(id) && id >= 0 && id <= MAX_ID;

/** A user by name, or by uid when `nameOrId` is all digits (as filewatcherd does). */
export function lookupUser(nameOrId: string): Lookup<UserRecord> {
  if (!isNumeric(nameOrId)) return lookup(PASSWD_SIZE, callR('getpwnam_r', nameOrId), decodePasswd);
  const uid = Number(nameOrId);
  return isValidId(uid) ? lookup(PASSWD_SIZE, callR('getpwuid_r', uid), decodePasswd) : { kind: 'missing' };
}

/** A group by name, or by gid when `nameOrId` is all digits. */
export function lookupGroup(nameOrId: string | number): Lookup<GroupRecord> {
  if (typeof nameOrId === 'string' && !isNumeric(nameOrId))
    return lookup(GROUP_SIZE, callR('getgrnam_r', nameOrId), decodeGroup);
  const gid = Number(nameOrId);
  return isValidId(gid) ? lookup(GROUP_SIZE, callR('getgrgid_r', gid), decodeGroup) : { kind: 'missing' };
}

/** Every group `user` belongs to, `gid` included (getgrouplist). */
export function groupList(user: string, gid: number): number[] {
  for (let capacity = 64; ; capacity *= 4) {
    const groups = Buffer.alloc(capacity * 4);
    const count = Buffer.alloc(4);
    count.writeInt32LE(capacity, 0);
    const code = load({
      library: libc(),
      funcName: 'getgrouplist',
      retType: DataType.I32,
      paramsType: [DataType.String, DataType.U32, DataType.U8Array, DataType.U8Array],
      paramsValue: [user, gid, groups, count],
    });
    const n = count.readInt32LE(0);
    if (code >= 0) return Array.from({ length: n }, (_, i) => groups.readUInt32LE(i * 4));
    if (capacity > 1 << 16) throw new Error(`getgrouplist: ${n} groups for ${user}`);
  }
}

/** The real UserResolver: NSS through the C library. */
export function createNssResolver(): AccountResolver {
  return {
    resolve(user: string, group: string | null): Promise<AccountResolution> {
      return Promise.resolve(resolveNow(user, group));
    },
  };
}

function resolveNow(user: string, group: string | null): AccountResolution {
  const pw = lookupUser(user);
  if (pw.kind === 'missing') return { kind: 'no-user' };
  if (pw.kind === 'failed') return { kind: 'failed', what: 'user', errno: pw.errno };
  const gr = lookupGroup(group ?? pw.value.gid);
  if (gr.kind === 'failed') return { kind: 'failed', what: 'group', errno: gr.errno };
  if (gr.kind === 'missing' && group !== null) return { kind: 'no-group' };
  const gid = gr.kind === 'found' ? gr.value.gid : pw.value.gid;
  const runAs: Account = {
    user: pw.value.name,
    uid: pw.value.uid,
    group: gr.kind === 'found' ? gr.value.name : String(gid),
    gid,
    groups: groupList(pw.value.name, gid),
    home: pw.value.home,
  };
  return { kind: 'ok', runAs };
}
