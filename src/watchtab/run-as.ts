// `user[:group]` of an entry: splitting the field and turning it into a RunAs through an injected
// UserResolver (the NSS one in system/nss.ts for real, so LDAP and sssd users work). Also the rule
// for a daemon that is not root: it cannot switch users, so only its own user and group are allowed.
import { assertNever } from '../errors.js';
import { MAX_ID } from '../system/account-id.js';
import type { AccountResolution, AccountResolver } from '../system/nss.js';
import { watchtabMessages as msg } from '../log/messages/watchtab.js';
import type { RunAs } from './entry.js';
import { problemAt, type Place, type Problem, type ProblemCode } from './problem.js';

/** How the user database answered (system/nss.ts is the real one; tests may pass their own). */
export type Resolution = AccountResolution;
/** Looks accounts up in the system's user database. */
export type UserResolver = AccountResolver;

export interface UserSpec {
  readonly user: string;
  readonly group: string | null;
}

/** The highest uid or gid: 2^32-2 ((uid_t)-1 means "no id"; a larger number would wrap in C). */
export const MAX_ACCOUNT_ID = MAX_ID;

/**
 * A part of `user[:group]` that looks like a number but is not a uid/gid C can hold (`4294967296`,
 * `-1`, `+5`, `1e3`, `1.5`, `0x10`); null when the part is a valid id or a name. Checked before the
 * user database is asked, so no id is ever truncated on its way to C.
 */
export function badAccountId(part: string): string | null {
  if (/^[0-9]+$/.test(part)) return Number(part) <= MAX_ACCOUNT_ID ? null : part;
  return /^[+-]|^[0-9.][0-9a-fA-FxXoObB._+-]*$/.test(part) ? part : null;
}

/** Splits `user[:group]`; null when a part is empty. */
export function parseUserSpec(text: string): UserSpec | null {
  const colon = text.indexOf(':');
  const user = colon < 0 ? text : text.slice(0, colon);
  const group = colon < 0 ? null : text.slice(colon + 1);
  if (user === '' || group === '' || (group !== null && group.includes(':'))) return null;
  return { user, group };
}

/** The daemon's own identity, for the rule on non-root readers. */
export interface Self {
  readonly uid: number;
  readonly gid: number;
}

/** Whether a non-root daemon may run a command as `runAs`: only as its own user and group. */
export function isSelf(runAs: RunAs, self: Self): boolean {
  return runAs.uid === self.uid && runAs.gid === self.gid;
}

/** Resolutions already made during one load, keyed by `user:group`. */
export type ResolveCache = Map<string, Resolution>;

export interface ResolveOptions {
  readonly resolver: UserResolver;
  readonly isRoot: boolean;
  readonly self: Self;
  readonly cache: ResolveCache;
}

/** `user[:group]` at `place` → RunAs, or the problem (unknown user or group, lookup failure, not self). */
export async function resolveRunAs(
  user: { readonly spec: UserSpec; readonly place: Place },
  options: ResolveOptions,
): Promise<RunAs | Problem> {
  const { spec, place } = user;
  const key = `${spec.user}:${spec.group ?? ''}`;
  const resolution = options.cache.get(key) ?? (await options.resolver.resolve(spec.user, spec.group));
  options.cache.set(key, resolution);
  const text = spec.group === null ? spec.user : `${spec.user}:${spec.group}`;
  const at = (code: ProblemCode, message: string): Problem =>
    problemAt(place, code, message, { key: 'user', found: text });
  switch (resolution.kind) {
    case 'no-user':
      return at('E_USER_UNKNOWN', msg.unknownUser(spec.user));
    case 'no-group':
      return at('E_GROUP_UNKNOWN', msg.unknownGroup(spec.group ?? ''));
    case 'failed':
      return at(
        'E_USER_LOOKUP',
        msg.lookupFailed(
          resolution.what,
          resolution.what === 'user' ? spec.user : (spec.group ?? ''),
          resolution.errno,
        ),
      );
    case 'ok':
      if (!options.isRoot && !isSelf(resolution.runAs, options.self)) {
        return at('E_USER_NOT_SELF', msg.notSelf(options.self.uid, options.self.gid));
      }
      return resolution.runAs;
    default:
      return assertNever(resolution);
  }
}
