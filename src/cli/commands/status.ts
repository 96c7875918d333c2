// `watchtab status [ENTRY] [--json] [--socket PATH]`: asks the running daemon through its socket and
// prints its entries as a table, or one entry with its latest runs (or the JSON document as it is).
import { readStatus } from '../../daemon/status-server.js';
import { EXIT_FAILURE, EXIT_OK, type Command } from '../command.js';
import { toolHelpMessages as help } from '../../log/messages/cli.js';
import { currentInvoker, defaultSocket } from '../defaults.js';
import { renderTable } from '../table.js';

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function text(value: unknown): string {
  if (value === undefined || value === null) return '-';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(text).join(',');
  return JSON.stringify(value);
}

/** An ISO 8601 time without its milliseconds (older daemons sent wall-clock milliseconds). */
function time(at: unknown): string {
  if (typeof at === 'number') return new Date(at).toISOString().replace(/\.\d+Z$/, 'Z');
  return typeof at === 'string' ? at.replace(/\.\d+Z$/, 'Z') : text(at);
}

function duration(run: unknown): string {
  const ms = field(run, 'durationMs');
  return typeof ms === 'number' ? `${(ms / 1000).toFixed(1)}s` : '';
}

function lastRun(entry: unknown): string {
  const run = field(entry, 'lastRun');
  if (run === undefined || run === null) return 'never';
  return `${time(field(run, 'startedAt'))} ${duration(run)} ${text(field(run, 'outcome'))}`.trim();
}

function counters(entry: unknown): string {
  const c = field(entry, 'counters');
  if (typeof c !== 'object' || c === null) return '-';
  return Object.entries(c)
    .map(([k, v]) => `${k}=${text(v)}`)
    .join(' ');
}

/** `-` without settle; else the quiet a run waits for and its bound, `2s<=60s` (as `watchtab list`). */
function settleText(entry: unknown): string {
  const settle = field(entry, 'settle');
  if (typeof settle !== 'number') return '-';
  return settle === 0 ? '-' : `${settle}s<=${text(field(entry, 'maxWait'))}s`;
}

/** Each watched path with its back-end: `/srv/site/** [fanotify] /srv/site.conf [inotify]`. */
function pathsText(entry: unknown): string {
  const paths = field(entry, 'paths');
  if (!Array.isArray(paths)) return text(field(entry, 'path'));
  return paths.map((p: unknown) => `${text(field(p, 'path'))} [${text(field(p, 'backend'))}]`).join(' ');
}

/** The status document as a human reads it: a header line, then one row per entry. */
export function renderStatus(doc: unknown): string {
  const daemon = field(doc, 'daemon');
  const entries = field(doc, 'entries');
  const rows = (Array.isArray(entries) ? entries : []).map((e: unknown) => [
    text(field(e, 'name')),
    text(field(e, 'state')),
    text(field(e, 'backend')),
    text(field(e, 'watches')),
    lastRun(e),
    counters(e),
    settleText(e),
    text(field(e, 'stdin')),
    pathsText(e),
  ]);
  const files = field(doc, 'files');
  const fileLines = (Array.isArray(files) ? files : [])
    .filter((f: unknown) => field(f, 'state') !== 'loaded')
    .map((f: unknown) =>
      `file ${text(field(f, 'file'))}: ${text(field(f, 'state'))} ${text(field(f, 'reason') ?? '')}`.trimEnd(),
    );
  const leftOutLines = (Array.isArray(entries) ? entries : []).flatMap((e: unknown) => {
    const leftOut = field(e, 'leftOut');
    return (Array.isArray(leftOut) ? leftOut : []).map(
      (l: unknown) =>
        `entry ${text(field(e, 'name'))}: left out ${text(field(l, 'path'))} (${text(field(l, 'errno'))})`,
    );
  });
  const header = `watchtabd ${text(field(daemon, 'version'))}, pid ${text(field(daemon, 'pid'))}, since ${text(field(daemon, 'startedAt'))}, watchtab ${text(field(daemon, 'watchtab'))}`;
  return [
    header,
    ...fileLines,
    renderTable(
      ['ENTRY', 'STATE', 'BACKEND', 'WATCHES', 'LAST RUN', 'COUNTERS', 'SETTLE', 'STDIN', 'PATHS'],
      rows,
    ),
    ...leftOutLines,
  ].join('\n');
}

/** One `path:` line per watched path, with its back-end and watches (one line from an older daemon). */
function pathFacts(entry: unknown): [string, string][] {
  const paths = field(entry, 'paths');
  if (!Array.isArray(paths)) return [['path', text(field(entry, 'path'))]];
  return paths.map((p: unknown) => [
    'path',
    `${text(field(p, 'path'))} (${text(field(p, 'backend'))}, ${text(field(p, 'watches'))} watches)`,
  ]);
}

/** One entry as a human reads it: what it is, then its latest runs, newest first. */
export function renderEntryStatus(entry: unknown): string {
  const facts = [
    ['entry', text(field(entry, 'name'))],
    ['source', text(field(entry, 'source'))],
    ...pathFacts(entry),
    ['delay', `${text(field(entry, 'delay'))}s`],
    ['settle', settleText(entry)],
    ['stdin', text(field(entry, 'stdin'))],
    ['state', text(field(entry, 'state'))],
    ['pid', text(field(entry, 'pid'))],
    ['backend', text(field(entry, 'backend'))],
    ['watches', text(field(entry, 'watches'))],
    ['counters', counters(entry)],
  ];
  const history = field(entry, 'history');
  const runs = (Array.isArray(history) ? history : []).map((run: unknown) => [
    time(field(run, 'startedAt')),
    duration(run),
    text(field(run, 'outcome')),
    text(field(run, 'count')),
    text(field(run, 'path')),
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
  name: 'status',
  synopsis: 'status [ENTRY] [--json] [--socket PATH]',
  summary: help.statusSummary(),
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
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' || code === 'ECONNREFUSED' ? 'is watchtabd running?' : String(error);
      process.stderr.write(`watchtab status: cannot reach watchtabd on ${socket}: ${why}\n`);
      return EXIT_FAILURE;
    }
    const isJson = values.get('json') === true;
    const name = operands[0];
    if (name === undefined) {
      process.stdout.write(isJson ? `${JSON.stringify(doc, null, 2)}\n` : `${renderStatus(doc)}\n`);
      return EXIT_OK;
    }
    const entries = field(doc, 'entries');
    const entry = (Array.isArray(entries) ? entries : []).find((e: unknown) => field(e, 'name') === name);
    if (entry === undefined) {
      process.stderr.write(`watchtab status: the daemon has no entry named ${JSON.stringify(name)}\n`);
      return EXIT_FAILURE;
    }
    process.stdout.write(isJson ? `${JSON.stringify(entry, null, 2)}\n` : `${renderEntryStatus(entry)}\n`);
    return EXIT_OK;
  },
};
