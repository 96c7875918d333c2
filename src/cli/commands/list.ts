// `watchtab list [FILE] [--json]`: the entries as the daemon will see them, as an aligned table or
// as JSON (one array of entries keyed as the watchtab is, watchtab/entry-json.ts). An entry watching
// several paths takes one row per path, its other columns on the first. Problems go to stderr and
// make the exit status 1; the valid files' entries are still listed.
import { formatProblem, watchtabMessages as msg } from '../../log/messages/watchtab.js';
import { toolHelpMessages as help } from '../../log/messages/cli.js';
import { STAR_EVENTS, type Entry, type PathSpec } from '../../watchtab/entry.js';
import { entryJson } from '../../watchtab/entry-json.js';
import { EXIT_FAILURE, EXIT_OK, type Command } from '../command.js';
import { headOf } from './heads.js';
import { renderTable } from '../table.js';
import { currentInvoker, defaultWatchtab } from '../defaults.js';
import { loadAsDaemon } from './load-args.js';

const COLUMNS = [
  'NAME',
  'BASE',
  'PATTERN',
  'DEPTH',
  'EVENTS',
  'DELAY',
  'SETTLE',
  'STDIN',
  'CATCH-UP',
  'USER',
  'ON-BUSY',
  'TIMEOUT',
  'COMMAND',
] as const;

const seconds = (ms: number): string => `${ms / 1000}s`;

function eventsText(entry: Entry): string {
  const isStar =
    entry.events.length === STAR_EVENTS.length && STAR_EVENTS.every((e) => entry.events.includes(e));
  return isStar ? '*' : entry.events.join(',');
}

/** `-` without settle; else the quiet it waits for and its bound, `2s<=60s`. */
function settleText(entry: Entry): string {
  return entry.settleMs === 0 ? '-' : `${seconds(entry.settleMs)}<=${seconds(entry.maxWaitMs)}`;
}

/** The path columns: depth is `exact` for an exact path, `any` for `**`, else the component count. */
function pathCells(path: PathSpec): string[] {
  return [
    path.kind === 'exact' ? path.path : path.base,
    path.kind === 'exact' ? '-' : path.pattern,
    path.kind === 'exact' ? 'exact' : path.maxDepth === Infinity ? 'any' : String(path.maxDepth),
  ];
}

/** An entry's table rows: its first path with every other field, then one row per further path. */
export function entryRows(entry: Entry): string[][] {
  const [first, ...more] = entry.paths;
  const blank = COLUMNS.slice(4).map(() => '');
  return [entryRow(entry, first), ...more.map((path) => ['', ...pathCells(path), ...blank])];
}

function entryRow(entry: Entry, path: PathSpec): string[] {
  return [
    entry.name,
    ...pathCells(path),
    eventsText(entry),
    seconds(entry.delayMs),
    settleText(entry),
    entry.stdin,
    entry.catchUp ? 'yes' : 'no',
    entry.runAs === null ? '-' : `${entry.runAs.user}:${entry.runAs.group}`,
    entry.onBusy,
    entry.timeoutMs === null ? '-' : seconds(entry.timeoutMs),
    entry.command.replace(/\n/g, '\\n'),
  ];
}

/** Aligned columns; the last one (the command) is not padded. */
export function formatTable(entries: readonly Entry[]): string {
  return renderTable(COLUMNS, entries.flatMap(entryRows));
}

export function formatJson(entries: readonly Entry[]): string {
  return JSON.stringify(entries.map(entryJson), null, 2);
}

export const listCommand: Command = {
  ...headOf('list'),
  description: help.listDescription(),
  options: [{ long: 'json', short: null, value: null, help: help.listJson() }],
  operands: { min: 0, max: 1 },
  async run({ values, operands }) {
    const result = await loadAsDaemon(operands[0] ?? defaultWatchtab(currentInvoker()));
    let isValid = true;
    for (const part of result.files) {
      if (!part.exists) process.stderr.write(`${part.file}: ${msg.noSuchFile()}\n`);
      if (part.refused !== null) process.stderr.write(`${msg.refused(part.file, part.refused)}\n`);
      for (const problem of part.problems) process.stderr.write(`${formatProblem(problem)}\n`);
      isValid &&= part.exists && part.refused === null && part.problems.length === 0;
    }
    const entries = result.files.flatMap((f) => f.entries);
    process.stdout.write(`${values.get('json') === true ? formatJson(entries) : formatTable(entries)}\n`);
    return isValid ? EXIT_OK : EXIT_FAILURE;
  },
};
