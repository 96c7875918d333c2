// `watchtab events [--recursive] [--json] PATH...`: prints the contract's events live, as
// `inotifywait -m` prints the kernel's, until SIGINT or SIGTERM; then closes the back-end and
// exits 0. Read-side events are left out (as from `*`).
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { createLogger } from '../../log/logger.js';
import type { WatchEvent, WatchTarget } from '../../watch/backend.js';
import { createInotifyBackend } from '../../watch/inotify/backend.js';
import { recursiveSpec } from '../../watch/match.js';
import { STAR_EVENTS, type PathSpec } from '../../watchtab/entry.js';
import { EXIT_OK, type Command } from '../command.js';

export const EVENTS_HELP = `usage: watchtab events [--recursive] [--json] [--debug] PATH...
Prints each event on PATH (a file; or a folder and its direct children; with --recursive,
everything below a folder) as it happens, until interrupted (SIGINT, SIGTERM: exit 0).
  EVENT<TAB>PATH                one line per event
  rename<TAB>NEW<TAB>OLD        a rename: the new path, then the old one
  --json                        one object per line: {"event","path","oldPath"?,"isDir"}
  --debug                       also log on stderr what the kernel reported
Events: ${STAR_EVENTS.join(', ')}.
`;

interface EventsArgs {
  readonly isRecursive: boolean;
  readonly isJson: boolean;
  readonly isDebug: boolean;
  readonly paths: readonly string[];
}

function parseArgs(args: readonly string[]): EventsArgs | 'help' {
  let isRecursive = false;
  let isJson = false;
  let isDebug = false;
  const paths: string[] = [];
  let isOperands = false;
  for (const arg of args) {
    if (isOperands || !arg.startsWith('-') || arg === '-') paths.push(arg);
    else if (arg === '--') isOperands = true;
    else if (arg === '--recursive' || arg === '-r') isRecursive = true;
    else if (arg === '--json') isJson = true;
    else if (arg === '--debug') isDebug = true;
    else if (arg === '--help' || arg === '-h') return 'help';
    else throw new UsageError(`events: unknown option "${arg}"`);
  }
  if (paths.length === 0) throw new UsageError('events: at least one PATH is required');
  return { isRecursive, isJson, isDebug, paths };
}

function specFor(path: string, isRecursive: boolean): PathSpec {
  const absolute = resolve(path);
  const isDir = statSync(absolute, { throwIfNoEntry: false })?.isDirectory() === true;
  return isRecursive && isDir ? recursiveSpec(absolute) : { kind: 'exact', path: absolute };
}

/** One line for one event, as the help above says. */
export function formatEvent(e: WatchEvent, isJson: boolean): string {
  // JSON.stringify leaves oldPath out when it is undefined.
  if (isJson) return JSON.stringify({ event: e.event, path: e.path, oldPath: e.oldPath, isDir: e.isDir });
  return e.oldPath === undefined ? `${e.event}\t${e.path}` : `${e.event}\t${e.path}\t${e.oldPath}`;
}

export const eventsCommand: Command = {
  name: 'events',
  synopsis: 'events [--recursive] [--json] PATH...',
  summary: 'print events on PATH as they happen (EVENT<TAB>PATH), until interrupted',
  async run(args) {
    const parsed = parseArgs(args);
    if (parsed === 'help') {
      process.stdout.write(EVENTS_HELP);
      return EXIT_OK;
    }
    const logger = createLogger({ level: parsed.isDebug ? 'debug' : 'warn' });
    const backend = createInotifyBackend({ logger });
    const print = (e: WatchEvent) => process.stdout.write(`${formatEvent(e, parsed.isJson)}\n`);
    for (const [i, path] of parsed.paths.entries()) {
      const target: WatchTarget = {
        id: `events:${i + 1}`,
        path: specFor(path, parsed.isRecursive),
        exclude: [],
        events: STAR_EVENTS,
        contentOnly: false,
        pollIntervalMs: 5000,
      };
      await backend.arm(target, print);
    }
    process.stderr.write('watching; interrupt to stop\n');
    await new Promise<void>((done) => {
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    });
    await backend.close();
    return EXIT_OK;
  },
};
