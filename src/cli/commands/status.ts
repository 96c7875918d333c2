// `watchtab status [ENTRY] [--json] [--socket PATH]`: asks the running daemon through its socket and
// prints its entries as a table, or one entry with its latest runs (or the JSON document as it is).
// The document is read field by field, each key checked against its type (status-document.ts).
import { readStatus } from '../../daemon/status-server.js';
import type {
  StatusDaemon,
  StatusDocument,
  StatusEntry,
  StatusFile,
  StatusRun,
  StatusWatch,
} from '../../daemon/status-document.js';
import type { LeftOut } from '../../watch/backend.js';
import type { PathJson } from '../../watchtab/entry-json.js';
import { errnoOf } from '../../system/errno.js';
import { EXIT_FAILURE, EXIT_OK, type Command } from '../command.js';
import { headOf } from './heads.js';
import { statusMessages as say, toolHelpMessages as help } from '../../log/messages/cli.js';
import { currentInvoker, defaultSocket } from '../defaults.js';
import { renderTable } from '../table.js';

/**
 * `value[key]` when `value` is an object. The document comes from another process (perhaps another
 * version), so nothing is assumed of its values; `key` must be a key of `T`, so a renamed key in
 * the document's type fails to compile here.
 */
function field<T>(value: unknown, key: KeyOf<T>): unknown {
  if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return undefined;
  const found: unknown = Reflect.get(value, key);
  return found;
}

/** The keys of any member of the union `T`. */
type KeyOf<T> = T extends unknown ? keyof T & string : never;

function text(value: unknown): string {
  if (value === undefined || value === null) return '-';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(text).join(',');
  return JSON.stringify(value);
}

/** An ISO 8601 time without its milliseconds. */
function time(at: unknown): string {
  return typeof at === 'string' ? at.replace(/\.\d+Z$/, 'Z') : text(at);
}

/** A watch as the watchtab wrote it: the glob's pattern, or the exact path. */
function pathText(path: unknown): string {
  return text(field<PathJson>(path, 'pattern') ?? field<PathJson>(path, 'path'));
}

function duration(run: unknown): string {
  const ms = field<StatusRun>(run, 'durationMs');
  return typeof ms === 'number' ? `${(ms / 1000).toFixed(1)}s` : '';
}

function lastRun(entry: unknown): string {
  const run = field<StatusEntry>(entry, 'lastRun');
  if (run === undefined || run === null) return 'never';
  return `${time(field<StatusRun>(run, 'startedAt'))} ${duration(run)} ${text(field<StatusRun>(run, 'outcome'))}`.trim();
}

function counters(entry: unknown): string {
  const c = field<StatusEntry>(entry, 'counters');
  if (typeof c !== 'object' || c === null) return '-';
  return Object.entries(c)
    .map(([k, v]) => `${k}=${text(v)}`)
    .join(' ');
}

/** `-` without settle; else the quiet a run waits for and its bound, `2s<=60s` (as `watchtab list`). */
function settleText(entry: unknown): string {
  const settle = field<StatusEntry>(entry, 'settle');
  if (typeof settle !== 'number') return '-';
  return settle === 0 ? '-' : `${settle}s<=${text(field<StatusEntry>(entry, 'max-wait'))}s`;
}

/** Every path of the entry as the watchtab wrote it (from a daemon that gives no `watching`). */
function pathsOf(entry: unknown): string[] {
  const path = field<StatusEntry>(entry, 'path');
  return (Array.isArray(path) ? path : [path]).map(pathText);
}

/** Each watched path with its back-end: `/srv/site/** [fanotify] /srv/site.conf [inotify]`. */
function pathsText(entry: unknown): string {
  const watching = field<StatusEntry>(entry, 'watching');
  if (!Array.isArray(watching)) return pathsOf(entry).join(' ');
  return watching
    .map(
      (w: unknown) =>
        `${pathText(field<StatusWatch>(w, 'path'))} [${text(field<StatusWatch>(w, 'backend'))}]`,
    )
    .join(' ');
}

/** The status document as a human reads it: a header line, then one row per entry. */
export function renderStatus(doc: unknown): string {
  const daemon = field<StatusDocument>(doc, 'daemon');
  const entries = field<StatusDocument>(doc, 'entries');
  const rows = (Array.isArray(entries) ? entries : []).map((e: unknown) => [
    text(field<StatusEntry>(e, 'name')),
    text(field<StatusEntry>(e, 'state')),
    text(field<StatusEntry>(e, 'backend')),
    text(field<StatusEntry>(e, 'watches')),
    lastRun(e),
    counters(e),
    settleText(e),
    text(field<StatusEntry>(e, 'stdin')),
    pathsText(e),
  ]);
  const files = field<StatusDocument>(doc, 'files');
  const fileLines = (Array.isArray(files) ? files : [])
    .filter((f: unknown) => field<StatusFile>(f, 'state') !== 'loaded')
    .map((f: unknown) =>
      `file ${text(field<StatusFile>(f, 'file'))}: ${text(field<StatusFile>(f, 'state'))} ${text(field<StatusFile>(f, 'reason') ?? '')}`.trimEnd(),
    );
  const leftOutLines = (Array.isArray(entries) ? entries : []).flatMap((e: unknown) => {
    const leftOut = field<StatusEntry>(e, 'leftOut');
    return (Array.isArray(leftOut) ? leftOut : []).map(
      (l: unknown) =>
        `entry ${text(field<StatusEntry>(e, 'name'))}: left out ${text(field<LeftOut>(l, 'path'))} (${text(field<LeftOut>(l, 'errno'))})`,
    );
  });
  const walkingLines = (Array.isArray(entries) ? entries : []).flatMap((e: unknown) => {
    const watching = field<StatusEntry>(e, 'watching');
    return (Array.isArray(watching) ? watching : [])
      .filter((w: unknown) => field<StatusWatch>(w, 'walking') === true)
      .map(
        (w: unknown) =>
          `entry ${text(field<StatusEntry>(e, 'name'))}: ready, still reading ${pathText(field<StatusWatch>(w, 'path'))} (${walkText(w)})`,
      );
  });
  const header = `watchtabd ${text(field<StatusDaemon>(daemon, 'version'))}, pid ${text(field<StatusDaemon>(daemon, 'pid'))}, since ${text(field<StatusDaemon>(daemon, 'startedAt'))}, watchtab ${text(field<StatusDaemon>(daemon, 'watchtab'))}`;
  return [
    header,
    ...fileLines,
    renderTable(
      ['ENTRY', 'STATE', 'BACKEND', 'WATCHES', 'LAST RUN', 'COUNTERS', 'SETTLE', 'STDIN', 'PATHS'],
      rows,
    ),
    ...leftOutLines,
    ...walkingLines,
  ].join('\n');
}

/** One `path:` line per watched path, with its back-end and watches (one line from an older daemon). */
function pathFacts(entry: unknown): [string, string][] {
  const watching = field<StatusEntry>(entry, 'watching');
  if (!Array.isArray(watching)) return pathsOf(entry).map((p) => ['path', p]);
  return watching.map((w: unknown) => [
    'path',
    `${pathText(field<StatusWatch>(w, 'path'))} (${text(field<StatusWatch>(w, 'backend'))}, ${text(field<StatusWatch>(w, 'watches'))} watches${field<StatusWatch>(w, 'walking') === true ? `, walking: ${walkText(w)}` : ''})`,
  ]);
}

/** How far the background walk of one watched path is. */
function walkText(watch: unknown): string {
  return `${text(field<StatusWatch>(watch, 'walkedFolders'))} folders read so far`;
}

/** One entry as a human reads it: what it is, then its latest runs, newest first. */
export function renderEntryStatus(entry: unknown): string {
  const facts = [
    ['entry', text(field<StatusEntry>(entry, 'name'))],
    ['source', text(field<StatusEntry>(entry, 'source'))],
    ...pathFacts(entry),
    ['delay', `${text(field<StatusEntry>(entry, 'delay'))}s`],
    ['settle', settleText(entry)],
    ['stdin', text(field<StatusEntry>(entry, 'stdin'))],
    ['catch-up', text(field<StatusEntry>(entry, 'catch-up'))],
    ['state', text(field<StatusEntry>(entry, 'state'))],
    ['pid', text(field<StatusEntry>(entry, 'pid'))],
    ['backend', text(field<StatusEntry>(entry, 'backend'))],
    ['watches', text(field<StatusEntry>(entry, 'watches'))],
    ['counters', counters(entry)],
  ];
  const history = field<StatusEntry>(entry, 'history');
  const runs = (Array.isArray(history) ? history : []).map((run: unknown) => [
    time(field<StatusRun>(run, 'startedAt')),
    duration(run),
    text(field<StatusRun>(run, 'outcome')),
    text(field<StatusRun>(run, 'count')),
    text(field<StatusRun>(run, 'path')),
  ]);
  return [
    ...facts.map(([k, v]) => `${k}: ${v}`),
    '',
    runs.length === 0
      ? 'no runs yet'
      : renderTable(['STARTED', 'DURATION', 'OUTCOME', 'PATHS', 'TRIGGER PATH'], runs),
  ].join('\n');
}

export const statusCommand: Command = {
  ...headOf('status'),
  description: help.statusDescription(),
  options: [
    { long: 'json', short: null, value: null, help: help.statusJson() },
    { long: 'socket', short: null, value: 'PATH', help: help.statusSocket() },
  ],
  operands: { min: 0, max: 1 },
  async run({ values, operands }) {
    const given = values.get('socket');
    const socket = typeof given === 'string' ? given : defaultSocket(currentInvoker());
    let doc: unknown;
    try {
      doc = await readStatus(socket);
    } catch (error) {
      const errno = errnoOf(error);
      const isDown = errno === 'ENOENT' || errno === 'ECONNREFUSED';
      process.stderr.write(`${say.unreachable(socket, isDown ? null : String(error))}\n`);
      return EXIT_FAILURE;
    }
    const isJson = values.get('json') === true;
    const name = operands[0];
    if (name === undefined) {
      process.stdout.write(isJson ? `${JSON.stringify(doc, null, 2)}\n` : `${renderStatus(doc)}\n`);
      return EXIT_OK;
    }
    const entries = field<StatusDocument>(doc, 'entries');
    const entry = (Array.isArray(entries) ? entries : []).find(
      (e: unknown) => field<StatusEntry>(e, 'name') === name,
    );
    if (entry === undefined) {
      process.stderr.write(`${say.noSuchEntry(name)}\n`);
      return EXIT_FAILURE;
    }
    process.stdout.write(isJson ? `${JSON.stringify(entry, null, 2)}\n` : `${renderEntryStatus(entry)}\n`);
    return EXIT_OK;
  },
};
