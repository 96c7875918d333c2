// Opens the C library once for every ffi-rs caller (inotify, fanotify, NSS, sd_notify). Each
// concern declares its own functions in its own module; this only owns the handle's name.
import { open } from './ffi.js';

export const LIBC = 'libc';
let isOpen = false;

/** Returns the library key to pass to ffi-rs `load`/`define`, opening libc.so.6 the first time. */
export function libc(): string {
  if (!isOpen) {
    open({ library: LIBC, path: 'libc.so.6' });
    isOpen = true;
  }
  return LIBC;
}
