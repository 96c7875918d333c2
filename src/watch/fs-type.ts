// File-system types by statfs magic, for choosing a back-end: inotify sees only changes made
// through this kernel, so on network, cluster and user-space file systems the `auto` back-end
// polls instead. The one table of magic numbers lives here (values from linux/magic.h and the
// file systems' own headers).
import { statfsSync } from 'node:fs';
import { SystemCallError } from '../errors.js';
import { errnoCode } from '../system/errno.js';
import { msgKernel } from '../log/messages/watch-kernel.js';

/** Where a file system's changes come from, as far as inotify is concerned. */
export type FsKind = 'local' | 'remote' | 'user-space' | 'cluster' | 'virtual';

export interface FsTypeInfo {
  readonly magic: number;
  readonly name: string;
  readonly kind: FsKind;
}

// [magic, name, kind]. 'remote', 'user-space' and 'cluster' hold changes other hosts or another
// process can make without this kernel seeing them; 'virtual' is kernel-made (proc, sysfs).
const TABLE: readonly (readonly [number, string, FsKind])[] = [
  // Network file systems.
  [0x00006969, 'nfs', 'remote'],
  [0x0000517b, 'smb', 'remote'],
  [0xff534d42, 'cifs', 'remote'],
  [0xfe534d42, 'smb2', 'remote'],
  [0x01021997, '9p', 'remote'],
  [0x00c36400, 'ceph', 'remote'],
  [0x0bd00bd0, 'lustre', 'remote'],
  [0x5346414f, 'afs', 'remote'],
  [0x6b414653, 'kafs', 'remote'],
  [0x73757245, 'coda', 'remote'],
  [0x0000564c, 'ncp', 'remote'],
  [0x13661366, 'orangefs', 'remote'],
  [0x786f4256, 'vboxsf', 'remote'],
  [0x7c7c6673, 'prl_fs', 'remote'],
  [0xbacbacbc, 'vmhgfs', 'remote'],
  // User-space file systems (sshfs, glusterfs, virtiofs, rclone, s3fs... all report FUSE).
  [0x65735546, 'fuse', 'user-space'],
  // Shared-disk cluster file systems: other nodes write without this kernel knowing.
  [0x47504653, 'gpfs', 'cluster'],
  [0x01161970, 'gfs2', 'cluster'],
  [0x7461636f, 'ocfs2', 'cluster'],
  // Local file systems.
  [0x0000ef53, 'ext4', 'local'],
  [0x58465342, 'xfs', 'local'],
  [0x9123683e, 'btrfs', 'local'],
  [0x01021994, 'tmpfs', 'local'],
  [0x794c7630, 'overlay', 'local'],
  [0x2fc12fc1, 'zfs', 'local'],
  [0xca451a4e, 'bcachefs', 'local'],
  [0xf2f52010, 'f2fs', 'local'],
  [0x00004d44, 'vfat', 'local'],
  [0x2011bab0, 'exfat', 'local'],
  [0x5346544e, 'ntfs', 'local'],
  [0x7366746e, 'ntfs3', 'local'],
  [0x00009660, 'iso9660', 'local'],
  [0x73717368, 'squashfs', 'local'],
  [0xe0f5e1e2, 'erofs', 'local'],
  [0x858458f6, 'ramfs', 'local'],
  [0x00003434, 'nilfs', 'local'],
  [0x3153464a, 'jfs', 'local'],
  [0x52654973, 'reiserfs', 'local'],
  [0x0000482b, 'hfsplus', 'local'],
  [0x00004244, 'hfs', 'local'],
  [0x15013346, 'udf', 'local'],
  // Kernel-made views.
  [0x00009fa0, 'proc', 'virtual'],
  [0x62656572, 'sysfs', 'virtual'],
  [0x63677270, 'cgroup2', 'virtual'],
  [0x00027e0b, 'cgroup', 'virtual'],
  [0x64626720, 'debugfs', 'virtual'],
  [0x74726163, 'tracefs', 'virtual'],
  [0x73636673, 'securityfs', 'virtual'],
  [0x00001cd1, 'devpts', 'virtual'],
  [0x6e736673, 'nsfs', 'virtual'],
  [0xcafe4a11, 'bpf', 'virtual'],
  [0x42494e4d, 'binfmt_misc', 'virtual'],
];

const BY_MAGIC: ReadonlyMap<number, FsTypeInfo> = new Map(
  TABLE.map(([magic, name, kind]) => [magic, { magic, name, kind }]),
);

/** What is known of a magic number; an unknown one is named by its hex value and taken as local. */
export function fsTypeInfo(magic: number): FsTypeInfo {
  const m = magic >>> 0;
  return BY_MAGIC.get(m) ?? { magic: m, name: `unknown (0x${m.toString(16)})`, kind: 'local' };
}

/** The file-system type holding `path` (statfs); throws SystemCallError when it cannot be read. */
export function fsTypeOf(path: string | Buffer): FsTypeInfo {
  try {
    // f_type is a signed long holding a 32-bit magic (CIFS's 0xff534d42 among them): keep the low
    // 32 bits, unsigned (fsTypeInfo does).
    return fsTypeInfo(statfsSync(path).type);
  } catch (error) {
    const errno = errnoCode(error);
    const shown = typeof path === 'string' ? path : path.toString('utf8');
    throw new SystemCallError('statfs', errno, shown, msgKernel.statfsFailed(shown, errno), { cause: error });
  }
}

/** Whether changes can happen that this kernel does not see: network, user-space (FUSE), cluster. */
export function isRemoteOrUserSpace(magic: number): boolean {
  const kind = fsTypeInfo(magic).kind;
  return kind === 'remote' || kind === 'user-space' || kind === 'cluster';
}
