// What `check` and `list` share: reading a watchtab the way the daemon would (as the current user,
// with the system's user database, the file made absolute as watchtabd makes it).
import { resolve } from 'node:path';
import { createNssResolverOnUse } from '../../system/nss-on-use.js';
import { loadWatchtab, type LoadResult } from '../../watchtab/load.js';

/**
 * Loads as the daemon would when run by this user: the ownership rule applies when root, and the
 * file is made absolute first, so entries get the default names (FILE:LINE) the daemon gives them.
 */
export function loadAsDaemon(file: string): Promise<LoadResult> {
  return loadWatchtab(resolve(file), {
    isRoot: process.geteuid?.() === 0,
    resolver: createNssResolverOnUse(),
  });
}
