// fanotify's numbers (linux/fanotify.h): init flags, mark flags, event bits, info-record types,
// and mask → names for debug traces. No I/O; what the bits mean for watchtab is the back-end's.

/** fanotify_init(2) flags. */
export const FAN_INIT = {
  CLOEXEC: 0x1,
  NONBLOCK: 0x2,
  CLASS_NOTIF: 0x0,
  REPORT_FID: 0x200,
  REPORT_DIR_FID: 0x400,
  REPORT_NAME: 0x800,
  REPORT_TARGET_FID: 0x1000,
} as const;

export const FAN_REPORT_DFID_NAME = FAN_INIT.REPORT_DIR_FID | FAN_INIT.REPORT_NAME;
/** DFID_NAME plus the child's own fid, for renames in one record (kernel ≥ 5.17). */
export const FAN_REPORT_DFID_NAME_TARGET =
  FAN_REPORT_DFID_NAME | FAN_INIT.REPORT_FID | FAN_INIT.REPORT_TARGET_FID;

/** fanotify_mark(2) flags. */
export const FAN_MARK = {
  ADD: 0x1,
  REMOVE: 0x2,
  DONT_FOLLOW: 0x4,
  ONLYDIR: 0x8,
  MOUNT: 0x10,
  FILESYSTEM: 0x100,
} as const;

/** Event bits of `fanotify_event_metadata.mask` and of a mark's mask. */
export const FAN = {
  ACCESS: 0x1,
  MODIFY: 0x2,
  ATTRIB: 0x4,
  CLOSE_WRITE: 0x8,
  CLOSE_NOWRITE: 0x10,
  OPEN: 0x20,
  MOVED_FROM: 0x40,
  MOVED_TO: 0x80,
  CREATE: 0x100,
  DELETE: 0x200,
  DELETE_SELF: 0x400,
  MOVE_SELF: 0x800,
  OPEN_EXEC: 0x1000,
  Q_OVERFLOW: 0x4000,
  FS_ERROR: 0x8000,
  EVENT_ON_CHILD: 0x08000000,
  RENAME: 0x10000000,
  ONDIR: 0x40000000,
} as const;

/** `fanotify_event_info_header.info_type`. */
export const FAN_INFO = {
  FID: 1,
  DFID_NAME: 2,
  DFID: 3,
  PIDFD: 4,
  ERROR: 5,
  OLD_DFID_NAME: 10,
  NEW_DFID_NAME: 12,
} as const;

/** `fd` of an event that carries no open file (every event of a fid-reporting group). */
export const FAN_NOFD = -1;
export const FANOTIFY_METADATA_VERSION = 3;

/** "FAN_CREATE|FAN_ONDIR" for a mask, for debug traces and test messages. */
export function fanMaskNames(mask: number): string {
  const names = Object.entries(FAN)
    .filter(([, bit]) => (mask & bit) !== 0)
    .map(([name]) => `FAN_${name}`);
  return names.length > 0 ? names.join('|') : '0';
}
