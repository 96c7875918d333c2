// The inotify(7) mask bits as named values, and a renderer for debug traces. Values are the
// kernel's (include/uapi/linux/inotify.h); they are the same on every Linux architecture.

/** Event and flag bits of `inotify_add_watch` masks and of `struct inotify_event.mask`. */
export const IN = {
  // Events a watch can ask for; reported in `mask`.
  ACCESS: 0x00000001,
  MODIFY: 0x00000002,
  ATTRIB: 0x00000004,
  CLOSE_WRITE: 0x00000008,
  CLOSE_NOWRITE: 0x00000010,
  OPEN: 0x00000020,
  MOVED_FROM: 0x00000040,
  MOVED_TO: 0x00000080,
  CREATE: 0x00000100,
  DELETE: 0x00000200,
  DELETE_SELF: 0x00000400,
  MOVE_SELF: 0x00000800,
  // Reported by the kernel whatever the watch asked for.
  UNMOUNT: 0x00002000,
  Q_OVERFLOW: 0x00004000,
  IGNORED: 0x00008000,
  // Flags for inotify_add_watch only.
  ONLYDIR: 0x01000000,
  DONT_FOLLOW: 0x02000000,
  EXCL_UNLINK: 0x04000000,
  MASK_CREATE: 0x10000000,
  MASK_ADD: 0x20000000,
  // Reported in `mask`: the subject is a folder.
  ISDIR: 0x40000000,
  // Flag for inotify_add_watch. Above 2^31: combine masks with `|` and then `>>> 0`.
  ONESHOT: 0x80000000,
} as const;

export type InotifyBit = keyof typeof IN;

/** Shorthands from <sys/inotify.h>. */
export const IN_CLOSE = IN.CLOSE_WRITE | IN.CLOSE_NOWRITE;
export const IN_MOVE = IN.MOVED_FROM | IN.MOVED_TO;
/** Every event a watch can ask for (0xfff). */
export const IN_ALL_EVENTS =
  IN.ACCESS |
  IN.MODIFY |
  IN.ATTRIB |
  IN_CLOSE |
  IN.OPEN |
  IN_MOVE |
  IN.CREATE |
  IN.DELETE |
  IN.DELETE_SELF |
  IN.MOVE_SELF;

/** Flags of inotify_init1 (the same values as O_NONBLOCK and O_CLOEXEC). */
export const IN_INIT = { NONBLOCK: 0o4000, CLOEXEC: 0o2000000 } as const;

const BIT_NAMES: readonly (readonly [InotifyBit, number])[] = Object.entries(IN) as [InotifyBit, number][];

/** `IN_CREATE|IN_ISDIR` for 0x40000100; unknown bits as hex. For debug traces and test failures. */
export function maskNames(mask: number): string {
  let rest = mask >>> 0;
  const names: string[] = [];
  for (const [name, bit] of BIT_NAMES) {
    if ((rest & bit) >>> 0 === bit) {
      names.push(`IN_${name}`);
      rest = (rest & ~bit) >>> 0;
    }
  }
  if (rest !== 0) names.push(`0x${rest.toString(16)}`);
  return names.length > 0 ? names.join('|') : '0';
}

/** Whether every bit of `bits` is set in `mask` (safe for IN.ONESHOT, above 2^31). */
export function hasBits(mask: number, bits: number): boolean {
  return (mask & bits) >>> 0 === bits >>> 0;
}
