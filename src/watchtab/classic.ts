// The classic watchtab format, filewatcherd's: environment lines and tab-separated entry lines.
// This only splits text into raw fields (escapes, field counts, environment scoping); what the
// values mean is validate.ts's job, shared with the YAML format.
import { watchtabMessages as msg } from '../log/messages/watchtab.js';
import { problemAt, type Problem } from './problem.js';
import type { RawEntry } from './validate.js';
import { ENV_NAME, type RawField } from './values.js';

/** Field names by field count: with fewer fields, chroot goes first, then user, then delay. */
const LAYOUTS: Readonly<Record<number, readonly string[]>> = {
  3: ['path', 'events', 'command'],
  4: ['path', 'events', 'delay', 'command'],
  5: ['path', 'events', 'delay', 'user', 'command'],
  6: ['path', 'events', 'delay', 'user', 'chroot', 'command'],
};
/** Fields in which a backslash escapes the next character. */
const ESCAPED_FIELDS = new Set(['path', 'chroot', 'command']);

export interface ParsedFile {
  readonly entries: readonly RawEntry[];
  readonly problems: readonly Problem[];
}

interface Field {
  readonly text: string;
  readonly column: number;
}

export function parseClassic(text: string, file: string): ParsedFile {
  const entries: RawEntry[] = [];
  const problems: Problem[] = [];
  let env: Record<string, string> = {};
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    const start = raw.length - raw.replace(/^[ \t]+/, '').length;
    const body = trimEnd(raw.slice(start));
    if (body === '' || body.startsWith('#')) return;
    const column = start + 1;
    // An environment line has `=` before any tab or backslash (filewatcherd's rule).
    const stop = body.search(/[=\t\\]/);
    if (stop >= 0 && body[stop] === '=') {
      const name = body.slice(0, stop).replace(/ +$/, '');
      if (!ENV_NAME.test(name)) {
        problems.push(problemAt({ file, line, column }, 'E_ENV', msg.envLineName(name), { found: name }));
        return;
      }
      env = { ...env, [name]: unquote(body.slice(stop + 1).replace(/^ +/, '')) };
      return;
    }
    const fields = splitFields(body, column);
    if (fields === null) {
      problems.push(
        problemAt({ file, line, column: column + body.length - 1 }, 'E_SYNTAX', msg.danglingBackslash()),
      );
      return;
    }
    const layout = LAYOUTS[fields.length];
    if (layout === undefined) {
      problems.push(problemAt({ file, line, column }, 'E_FIELDS', msg.fieldCount(fields.length)));
      return;
    }
    const map = new Map<string, RawField>();
    fields.forEach((field, i) => {
      const key = layout[i] ?? 'command';
      const value = ESCAPED_FIELDS.has(key) ? unescape(field.text) : field.text;
      map.set(key, { value, place: { file, line, column: field.column } });
    });
    entries.push({ place: { file, line }, fields: map, env });
  });
  return { entries, problems };
}

/**
 * Removes a CRLF line's `\r` and trailing blanks, but not a blank escaped by a backslash
 * (`echo hi\` + tab keeps its tab): escapes are read before blanks are dropped.
 */
function trimEnd(line: string): string {
  const text = line.replace(/\r$/, '');
  const trimmed = text.replace(/[ \t]+$/, '');
  const backslashes = /\\*$/.exec(trimmed)?.[0].length ?? 0;
  return backslashes % 2 === 1 ? text.slice(0, trimmed.length + 1) : trimmed;
}

/** Splits on runs of tabs; `\` + any character stays in the field as written. null: a dangling `\`. */
function splitFields(body: string, firstColumn: number): Field[] | null {
  const fields: Field[] = [];
  let current = '';
  let column = firstColumn;
  for (let i = 0; i < body.length; i++) {
    const ch = body.charAt(i);
    if (ch === '\\') {
      if (i + 1 >= body.length) return null;
      if (current === '') column = firstColumn + i;
      current += ch + body.charAt(i + 1);
      i++;
    } else if (ch === '\t') {
      if (current !== '') fields.push({ text: current, column });
      current = '';
    } else {
      if (current === '') column = firstColumn + i;
      current += ch;
    }
  }
  if (current !== '') fields.push({ text: current, column });
  return fields;
}

/** `\x` → `x`: so `\` + tab is a tab and `\\` a backslash. */
function unescape(text: string): string {
  return text.replace(/\\(.)/gs, '$1');
}

/** As cron does: one pair of matching quotes around the whole value is removed (keeping blanks inside). */
function unquote(value: string): string {
  const first = value[0];
  if (value.length >= 2 && (first === '"' || first === "'") && value.endsWith(first))
    return value.slice(1, -1);
  return value;
}
