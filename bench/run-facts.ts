// What the benches record about the run itself: the machine it ran on, and a results file's lines.
import { readFileSync } from 'node:fs';
import { cpus, release } from 'node:os';

/** The machine and node a bench ran on, for the dated results tables. */
export function machineFacts(): { date: string; cores: number; cpu: string; kernel: string; node: string } {
  return {
    date: new Date().toISOString(),
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? '?',
    kernel: release(),
    node: process.version,
  };
}

/** The non-empty lines of `file`; none while it does not exist yet. */
export function linesOf(file: string): string[] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
  } catch {
    return [];
  }
}
