// The attacker's side of issue 11's attacks, shared by the e2e tests and bench/attacks.ts: each
// loop runs as nobody in its own process group, and dies with the group (or this process's exit).
import { spawn, type ChildProcess } from 'node:child_process';

export const NOBODY = 65534;
/** argv prefix running a command as nobody, with no supplementary groups. */
export const AS_NOBODY = [
  'setpriv',
  `--reuid=${NOBODY}`,
  `--regid=${NOBODY}`,
  '--clear-groups',
  '--',
] as const;

/**
 * Each turn makes `f` a new regular file (its close_write is judged), then renames a symlink to a
 * FIFO onto it, tens of microseconds apart: an open by path after the lstat blocks for good. A
 * pause of 1 ms per turn keeps this a race, not a flood of events (a separate matter). For node -e.
 */
export const FIFO_SWAP = `
  const fs = require('node:fs');
  const pause = new Int32Array(new SharedArrayBuffer(4));
  require('node:child_process').execFileSync('mkfifo', ['pipe']);
  for (;;) {
    fs.rmSync('f', { force: true });
    fs.writeFileSync('f', 'x');
    fs.symlinkSync('pipe', 'l');
    fs.renameSync('l', 'f');
    Atomics.wait(pause, 0, 0, 1);
  }`;

/**
 * For node -e DIR MS: for MS milliseconds, creates and removes files whose names make a
 * backtracking matcher of `*-*-*-*-*.log` explode (no `.log` at the end, so every split is tried),
 * in DIR and in a folder of 200 dashes below it; then prints how many.
 */
export const DASH_NAMES_FLOOD = `
const fs = require('node:fs');
const path = require('node:path');
const [dir, ms] = process.argv.slice(1);
const dashes = (n) => '-'.repeat(n);
const names = [dashes(250), dashes(246) + '.lo', 'x' + dashes(249), dashes(120) + '.log' + dashes(120), dashes(250) + '.lg'];
const sub = path.join(dir, dashes(200));
fs.mkdirSync(sub, { recursive: true });
const end = Date.now() + Number(ms);
let made = 0;
while (Date.now() < end) {
  for (const name of names) {
    for (const where of [dir, sub]) {
      const file = path.join(where, name);
      fs.writeFileSync(file, 'x');
      fs.unlinkSync(file);
      made += 1;
    }
  }
}
process.stdout.write(String(made));
`;

/** For perl -e, in the folder to flood: creates, renames and removes files as fast as it can. */
export const RENAME_FLOOD =
  'my $n=shift; while (1) { open(my $f, ">", "a$n") or die; close $f; rename("a$n", "b$n"); unlink("b$n"); }';

/**
 * For bash -c, in a folder: 25 levels of 200-byte names (5,000 bytes below it, over PATH_MAX),
 * made with relative paths, and a file at the bottom. bash: dash's cd fails past PATH_MAX.
 */
export const DEEP_PATH =
  'n=$(printf "%0200d" 0); for i in $(seq 25); do mkdir "$n" && cd "$n" || exit 1; done; touch f';

/**
 * For perl -e, in a folder: files and folders whose names hold a newline or a byte that is not
 * UTF-8, made and removed in a loop (1 ms apart: names to judge, not a flood).
 */
export const ODD_NAMES_LOOP =
  'my $i=0; while (1) { $i++; for my $n ("a\\nb$i", "x\\xff$i") { open(my $f, ">", $n) or die; print $f "x"; close $f; } ' +
  'mkdir "d\\nir$i"; open(my $g, ">", "d\\nir$i/in") or die; close $g; select(undef, undef, undef, 0.001); ' +
  'unlink "a\\nb$i", "x\\xff$i", "d\\nir$i/in"; rmdir "d\\nir$i"; }';

/** Attack loops started here and not yet stopped: killed when this process exits, whatever happens. */
const RUNNING = new Set<number>();
process.on('exit', () => {
  for (const pid of RUNNING) killGroup(pid);
});

/** Kills a process group (the attacker and what it started); nothing if it is gone. */
export function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

export interface Attack {
  readonly child: ChildProcess;
  /** Kills the whole group and resolves once its leader is gone. */
  stop(): Promise<void>;
}

/** Starts `argv` as nobody in `cwd`, in a process group of its own; stdout piped when asked. */
export function attackAsNobody(
  cwd: string,
  argv: readonly string[],
  stdout: 'ignore' | 'pipe' = 'ignore',
): Attack {
  const child = spawn(AS_NOBODY[0], [...AS_NOBODY.slice(1), ...argv], {
    cwd,
    stdio: ['ignore', stdout, 'inherit'],
    detached: true,
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const pid = child.pid;
  if (pid !== undefined) RUNNING.add(pid);
  void exited.then(() => {
    if (pid !== undefined) RUNNING.delete(pid);
  });
  return {
    child,
    async stop() {
      // The whole group, whether or not its leader is still there: what it started dies with it.
      if (pid !== undefined) killGroup(pid);
      await exited;
    },
  };
}
