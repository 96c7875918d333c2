// `watchtab status [--json] [--socket PATH]`: asks the running daemon through its socket and
// prints its entries as a table (or the daemon's JSON document as it is).
import { parseArgs } from 'node:util';
import { UsageError } from '../../errors.js';
import { readStatus } from '../../daemon/status-server.js';
import { EXIT_FAILURE, EXIT_OK, type Command } from '../command.js';
import { defaultSocket } from '../watchtabd-options.js';
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

function lastRun(entry: unknown): string {
  const run = field(entry, 'lastRun');
  if (run === undefined || run === null) return 'never';
  const at = field(run, 'startedAt');
  const started = typeof at === 'number' ? new Date(at).toISOString().replace(/\.\d+Z$/, 'Z') : text(at);
  const duration = field(run, 'durationMs');
  const outcome = text(field(run, 'outcome'));
  return `${started} ${typeof duration === 'number' ? `${(duration / 1000).toFixed(1)}s` : ''} ${outcome}`.trim();
}

function counters(entry: unknown): string {
  const c = field(entry, 'counters');
  if (typeof c !== 'object' || c === null) return '-';
  return Object.entries(c)
    .map(([k, v]) => `${k}=${text(v)}`)
    .join(' ');
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
    renderTable(['ENTRY', 'STATE', 'BACKEND', 'WATCHES', 'LAST RUN', 'COUNTERS'], rows),
    ...leftOutLines,
  ].join('\n');
}

export const statusCommand: Command = {
  name: 'status',
  synopsis: 'status [--json] [--socket PATH]',
  summary: "show the running daemon's entries, their state and last runs",
  async run(args) {
    let parsed;
    try {
      parsed = parseArgs({
        args: [...args],
        options: { json: { type: 'boolean' }, socket: { type: 'string' } },
        allowPositionals: false,
      });
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    const socket = parsed.values.socket ?? defaultSocket(process.geteuid?.() ?? 0, process.env);
    let doc: unknown;
    try {
      doc = await readStatus(socket);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' || code === 'ECONNREFUSED' ? 'is watchtabd running?' : String(error);
      process.stderr.write(`watchtab status: cannot reach watchtabd on ${socket}: ${why}\n`);
      return EXIT_FAILURE;
    }
    process.stdout.write(
      parsed.values.json === true ? `${JSON.stringify(doc, null, 2)}\n` : `${renderStatus(doc)}\n`,
    );
    return EXIT_OK;
  },
};
