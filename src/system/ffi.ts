// ffi-rs, loaded once and only here, so that a system where its native binding cannot load (an
// unsupported platform, a broken install) still runs the daemon: the watcher falls back to
// chokidar, and whatever truly needs a system call (NSS users, sd_notify, fanotify) says why it
// cannot with FfiUnavailableError instead of the whole program failing to start.
import type * as FfiRs from 'ffi-rs';
import { WatchtabError } from '../errors.js';
import { systemMessages } from '../log/messages/system.js';

type Module = typeof FfiRs;

async function loadFfiRs(): Promise<Module | Error> {
  try {
    const imported = (await import('ffi-rs')) as Module & { default?: Module };
    return imported.default ?? imported;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

const loaded = await loadFfiRs();

export class FfiUnavailableError extends WatchtabError {
  constructor(cause: Error) {
    super('E_FFI', systemMessages.ffiUnavailable(firstLine(cause.message)), { cause });
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}

const unavailable = loaded instanceof Error ? new FfiUnavailableError(loaded) : null;

/** Why ffi-rs could not be loaded, or null when it was (decided once, at start). */
export function ffiLoadError(): FfiUnavailableError | null {
  return unavailable;
}

function ffi(): Module {
  if (loaded instanceof Error) throw new FfiUnavailableError(loaded);
  return loaded;
}

/** ffi-rs's DataType values; empty when ffi-rs is not loaded (then every call throws first). */
export const DataType: Module['DataType'] =
  loaded instanceof Error ? ({} as Module['DataType']) : loaded.DataType;

export const load = ((options: Parameters<Module['load']>[0]) => ffi().load(options)) as Module['load'];

export const open: Module['open'] = (options) => ffi().open(options);

/**
 * A Buffer over `length` bytes of native memory at `pointer` (ffi-rs's createExternalBuffer, which
 * its typings leave out): the memory is shared, not copied, so what C writes there is read in place.
 */
export function externalBuffer(pointer: FfiRs.JsExternal, length: number): Buffer {
  const make = (ffi() as unknown as { createExternalBuffer?: (p: FfiRs.JsExternal, n: number) => unknown })
    .createExternalBuffer;
  const buffer = make?.(pointer, length);
  if (!Buffer.isBuffer(buffer) || buffer.length !== length)
    throw new Error('ffi-rs has no createExternalBuffer giving a Buffer');
  return buffer;
}

/** Whether a pointer ffi-rs returned is NULL. */
export const isNullPointer: Module['isNullPointer'] = (pointer) => ffi().isNullPointer(pointer);
