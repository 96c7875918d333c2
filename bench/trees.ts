// What several benches share: a tree of N folders in 3 levels of cube-root fan-out (the shape the
// ready, memory, watch-arm and overflow benches measure), the arguments of a daemon that watches
// one such tree recursively with its own socket and state folder, and a round of editor-style saves.
import { existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Makes `count` folders under `root` (a/b/c, ~cube-root fan-out); returns the deepest one made. */
export function makeCubeTree(root: string, count: number): string {
  const fan = Math.ceil(Math.cbrt(count));
  let made = 0;
  let deepest = root;
  for (let a = 0; a < fan && made < count; a++)
    for (let b = 0; b < fan && made < count; b++)
      for (let c = 0; c < fan && made < count; c++, made++) {
        deepest = join(root, `a${a}`, `b${b}`, `c${c}`);
        mkdirSync(deepest, { recursive: true });
      }
  return deepest;
}

/** `/tmp/watchtab-bench-COUNT`, made once and reused by later runs (a marker says it is whole). */
export function sharedCubeTree(count: number): string {
  const root = `/tmp/watchtab-bench-${count}`;
  const marker = join(root, '.complete');
  if (existsSync(marker)) return root;
  makeCubeTree(root, count);
  writeFileSync(marker, '');
  return root;
}

/**
 * Arguments for `node` running the daemon `bin` on one entry `ROOT/** * 0 true` with `backend`;
 * its watchtab, socket and state folder go in `dir`.
 */
export function recursiveDaemonArgs(bin: string, dir: string, root: string, backend: string): string[] {
  const tab = join(dir, 'watchtab');
  writeFileSync(tab, `${root}/**\t*\t0\ttrue\n`, { mode: 0o644 });
  return [
    bin,
    '--watchtab',
    tab,
    '--backend',
    backend,
    '--socket',
    join(dir, 'sock'),
    '--state-dir',
    join(dir, 'state'),
  ];
}

/** How many paths (files and folders) `root` holds below it. */
export function countPaths(root: string): number {
  let paths = 0;
  const stack = [root];
  for (let dir = stack.pop(); dir !== undefined; dir = stack.pop())
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      paths++;
      if (e.isDirectory()) stack.push(join(dir, e.name));
    }
  return paths;
}

/** File names of every shape a save gives (ASCII, a date, an accent). */
export const SAVED_NAMES = [
  'index.md',
  'main.tsx',
  'IMG_20260101_120000.jpg',
  'café-notes.txt',
  'report-2026-11-22.html',
];

/**
 * Round `round` of `files` editor-style saves spread over `dir`/d0…d(folders-1): each a write to a
 * hidden temporary name, then its rename onto the saved name (create, write, close_write, rename).
 */
export function writeSaves(dir: string, round: number, files: number, folders: number): void {
  for (let i = 0; i < files; i++) {
    const folder = join(dir, `d${i % folders}`);
    const name = `${round}-${i}-${SAVED_NAMES[i % SAVED_NAMES.length]!}`;
    writeFileSync(join(folder, `.${name}.tmp`), 'content of a saved file\n');
    renameSync(join(folder, `.${name}.tmp`), join(folder, name));
  }
}
