// Which runs are alive now, read from /proc: the process groups of processes whose command line
// holds a marker (each run of an entry is its own process group).
import { readdir, readFile } from 'node:fs/promises';

/** The process groups, now, of processes whose command line contains `marker` (one run is one group). */
export async function groupsRunning(marker: string): Promise<Set<number>> {
  const groups = new Set<number>();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = await readFile(`/proc/${name}/cmdline`, 'utf8');
      if (!cmdline.includes(marker)) continue;
      const stat = await readFile(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z') groups.add(Number(fields[2]));
    } catch {
      // The process ended while being read.
    }
  }
  return groups;
}
