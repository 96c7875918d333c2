// The NSS account resolver for the command-line tools, loaded on its first question: a watchtab
// without `user` never loads ffi-rs (about 25 ms of every `check`, `list` and `edit`).
import type { AccountResolution, AccountResolver } from './nss.js';

/** Resolves as nss.ts's resolver does; nss.ts (and ffi-rs) are loaded at the first call. */
export function createNssResolverOnUse(): AccountResolver {
  let real: Promise<AccountResolver> | null = null;
  return {
    async resolve(user: string, group: string | null): Promise<AccountResolution> {
      real ??= import('./nss.js').then((nss) => nss.createNssResolver());
      return (await real).resolve(user, group);
    },
  };
}
