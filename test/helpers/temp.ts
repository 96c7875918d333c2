// Temporary folders that are removed when the test ends, whatever the outcome.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

export async function tempDir(t: TestContext, prefix = 'watchtab-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A tmpfs of the test's own (as root), mounted beside the temp folders and unmounted, then removed,
 * when the test ends: a fanotify mark or a flood on it reaches nobody else's files. The reason it
 * cannot be had otherwise, for the test to skip with.
 */
export async function ownTmpfs(
  t: TestContext,
  size: string,
  prefix = 'watchtab-tmpfs-',
): Promise<{ readonly path: string } | { readonly skip: string }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', path]);
  t.after(async () => {
    if (mounted.status === 0) spawnSync('umount', ['-l', path]);
    await rm(path, { recursive: true, force: true });
  });
  if (mounted.status !== 0) return { skip: `cannot mount a tmpfs here: ${mounted.stderr.toString().trim()}` };
  return { path };
}
