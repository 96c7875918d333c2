// `watchtab events [--recursive] [--json] PATH...`: prints the contract's events live, as
// `inotifywait -m` prints the kernel's, until SIGINT or SIGTERM; then closes the back-end and
// exits 0. Read-side events are left out (as from `*`).
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { eventsMessages as say, toolHelpMessages as help, toolLine } from '../../log/messages/cli.js';
import type { WatchEvent, WatchTarget } from '../../watch/backend.js';
import { createInotifyBackend } from '../../watch/inotify/backend.js';
import { recursiveSpec } from '../../watch/match.js';
import { STAR_EVENTS, type PathSpec } from '../../watchtab/entry.js';
import { EXIT_OK, type Command } from '../command.js';
import { headOf } from './heads.js';
import { createLoggerOnUse } from '../logger-on-use.js';

/** What to arm for PATH; `isMissing` when it does not exist yet (the back-end waits for it). */
function specFor(path: string, isRecursive: boolean): { spec: PathSpec; isMissing: boolean } {
  const absolute = resolve(path);
  const stats = statSync(absolute, { throwIfNoEntry: false });
  const isDir = stats?.isDirectory() === true;
  const spec: PathSpec = isRecursive && isDir ? recursiveSpec(absolute) : { kind: 'exact', path: absolute };
  return { spec, isMissing: stats === undefined };
}

/** One line for one event, as --help says: in text, a folder's paths end in `/` (as `ls -p`). */
export function formatEvent(e: WatchEvent, isJson: boolean): string {
  // JSON.stringify leaves oldPath out when it is undefined.
  if (isJson) return JSON.stringify({ event: e.event, path: e.path, oldPath: e.oldPath, isDir: e.isDir });
  const shown = (path: string): string => (e.isDir && !path.endsWith('/') ? `${path}/` : path);
  return e.oldPath === undefined
    ? `${e.event}\t${shown(e.path)}`
    : `${e.event}\t${shown(e.path)}\t${shown(e.oldPath)}`;
}

export const eventsCommand: Command = {
  ...headOf('events'),
  description: help.eventsDescription(STAR_EVENTS),
  options: [
    { long: 'recursive', short: 'r', value: null, help: help.eventsRecursive() },
    { long: 'json', short: null, value: null, help: help.eventsJson() },
    { long: 'debug', short: null, value: null, help: help.eventsDebug() },
  ],
  operands: { min: 1, max: Infinity },
  async run({ values, operands }) {
    const parsed = {
      isRecursive: values.get('recursive') === true,
      isJson: values.get('json') === true,
      isDebug: values.get('debug') === true,
    };
    // winston is loaded at the first line logged (none, unless something goes wrong or --debug).
    const logger = createLoggerOnUse(parsed.isDebug ? 'debug' : 'warn');
    if (parsed.isDebug) await logger.load();
    const backend = createInotifyBackend({ logger });
    const print = (e: WatchEvent) => process.stdout.write(`${formatEvent(e, parsed.isJson)}\n`);
    for (const [i, path] of operands.entries()) {
      const { spec, isMissing } = specFor(path, parsed.isRecursive);
      if (isMissing) process.stderr.write(`${toolLine('events', say.waitingFor(path))}\n`);
      const target: WatchTarget = {
        id: `events:${i + 1}`,
        path: spec,
        exclude: [],
        events: STAR_EVENTS,
        contentOnly: false,
        pollIntervalMs: 5000,
      };
      await backend.arm(target, print);
      // What arming logged comes before the next line here, as it happened before it.
      await logger.flushed();
    }
    process.stderr.write(`${say.watching()}\n`);
    await new Promise<void>((done) => {
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    });
    await backend.close();
    await logger.flushed();
    return EXIT_OK;
  },
};
