// One way to call libc through ffi-rs and get errno with the result, for every module that binds
// system calls (inotify, fanotify): the result's shape is checked once, here.
import type { DataType } from 'ffi-rs';
import { load } from './ffi.js';
import { libc } from './libc.js';

/** A return value and the errno right after the call (0 when the call succeeded). */
export interface CallResult {
  readonly value: number;
  readonly errno: number;
}

export type Param = DataType.I32 | DataType.U32 | DataType.U64 | DataType.U8Array | DataType.String;

// ffi-rs returns `{ value, errnoCode, errnoMessage }` when asked for errno; its typing is loose,
// so the shape is checked here (the one FFI decoder of this module).
export function toCallResult(raw: unknown): CallResult {
  if (typeof raw === 'object' && raw !== null && 'value' in raw && 'errnoCode' in raw) {
    const { value, errnoCode } = raw;
    if (typeof value === 'number' && typeof errnoCode === 'number') {
      return { value, errno: value < 0 ? errnoCode : 0 };
    }
  }
  throw new Error(`ffi-rs returned an unexpected value: ${JSON.stringify(raw)}`);
}

export function callLibc(
  funcName: string,
  retType: DataType.I32 | DataType.I64,
  params: Param[],
  values: unknown[],
) {
  return toCallResult(
    load({ library: libc(), funcName, retType, paramsType: params, paramsValue: values, errno: true }),
  );
}

/**
 * The call alone, its return value as a number: for a hot path that asks errno only when the value
 * says the call failed (by calling again through callLibc, when the call is safe to repeat).
 */
export function callLibcNoErrno(
  funcName: string,
  retType: DataType.I32 | DataType.I64,
  params: Param[],
  values: unknown[],
): number {
  const value: unknown = load({
    library: libc(),
    funcName,
    retType,
    paramsType: params,
    paramsValue: values,
  });
  if (typeof value !== 'number')
    throw new Error(`ffi-rs returned an unexpected value: ${JSON.stringify(value)}`);
  return value;
}
