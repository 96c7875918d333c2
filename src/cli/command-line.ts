// The one command-line parser of watchtab and watchtabd: an option table in, typed values or a
// UsageError out. Built on node:util parseArgs (its tokens, not its errors), so `--opt=value`,
// `-n`, bundled `-nc FILE` and `--` work as in getopt; help text is generated from the same table.
import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';
import { usageMessages as usage, watchtabdHelpMessages as helpText } from '../log/messages/watchtab.js';
import type { Problem } from '../watchtab/problem.js';
import { Checker, checkSeconds } from '../watchtab/values.js';

/** One option: `value` names its argument (`FILE`), or is null for a flag. */
export interface OptionSpec {
  readonly long: string;
  readonly short: string | null;
  readonly value: string | null;
  readonly help: string;
}

/** Every option every program and sub-command accepts. */
export const HELP_OPTION: OptionSpec = { long: 'help', short: 'h', value: null, help: helpText.help() };

/** What was given: each option's last value (`true` for a flag), and the operands in order. */
export interface ParsedCommandLine {
  readonly values: ReadonlyMap<string, string | true>;
  readonly operands: readonly string[];
}

/**
 * Parses `argv` against `options`. An unknown option (with the nearest known one as a suggestion),
 * a missing or empty value, or a value given to a flag is a UsageError.
 */
export function parseCommandLine(argv: readonly string[], options: readonly OptionSpec[]): ParsedCommandLine {
  const config = Object.fromEntries(
    options.map((o) => [
      o.long,
      {
        type: o.value === null ? ('boolean' as const) : ('string' as const),
        ...(o.short !== null ? { short: o.short } : {}),
      },
    ]),
  );
  const { tokens } = parseArgs({
    args: [...argv],
    options: config,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const values = new Map<string, string | true>();
  const operands: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') operands.push(token.value);
    if (token.kind !== 'option') continue;
    const spec = options.find((o) => o.long === token.name);
    if (spec === undefined) throw new UsageError(unknownOption(token.rawName, options));
    if (spec.value === null) {
      if (token.value !== undefined) throw new UsageError(usage.takesNoValue(spec.long));
      values.set(spec.long, true);
    } else {
      if (token.value === undefined || token.value === '') throw new UsageError(usage.needsValue(spec.long));
      values.set(spec.long, token.value);
    }
  }
  return { values, operands };
}

function unknownOption(raw: string, options: readonly OptionSpec[]): string {
  const names = options.flatMap((o) => [`--${o.long}`, ...(o.short !== null ? [`-${o.short}`] : [])]);
  return usage.unknownOption(raw, raw.startsWith('--') ? nearest(raw, names) : null);
}

/** The candidate closest to `word` (an edit distance of at most 2, or a unique prefix), if any. */
export function nearest(word: string, candidates: readonly string[]): string | null {
  const prefixed = candidates.filter((c) => c.startsWith(word));
  if (prefixed.length === 1) return prefixed[0] ?? null;
  let best: string | null = null;
  let bestDistance = Math.min(2, Math.floor(word.length / 2));
  for (const candidate of candidates) {
    const d = editDistance(word, candidate);
    if (d <= bestDistance && (best === null || d < bestDistance)) [best, bestDistance] = [candidate, d];
  }
  return best;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => rows[i]?.[j] ?? Infinity;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, at(i - 2, j - 2) + 1);
      (rows[i] ?? [])[j] = d;
    }
  }
  return at(a.length, b.length);
}

/** `--help` text: the usage line (`usage: …`), what the command does, then one row per option. */
export function formatHelp(usageLine: string, description: string, options: readonly OptionSpec[]): string {
  const rows = options.map((o) => {
    const flag = `${o.short !== null ? `-${o.short}, ` : '    '}--${o.long}${o.value !== null ? ` ${o.value}` : ''}`;
    return [flag, o.help] as const;
  });
  const width = Math.max(...rows.map(([flag]) => flag.length));
  const body = description === '' ? [] : [description];
  return [usageLine, ...body, '', ...rows.map(([f, h]) => `  ${f.padEnd(width)}  ${h}`), ''].join('\n');
}

/**
 * A number of seconds given on the command line, to whole milliseconds, by the watchtab's own rule
 * (`checkSeconds`: digits and a point, at most MAX_SECONDS, not 0 once rounded where 0 is refused).
 */
export function parseSeconds(option: string, text: string, isZeroAllowed: boolean): number {
  const problems: Problem[] = [];
  const checker = new Checker(problems, option, { value: text, place: { file: '', line: 0 } });
  const ms = checkSeconds(checker, { isZeroAllowed });
  if (ms === undefined) throw new UsageError(usage.badValue(option, problems[0]?.message ?? text));
  return ms;
}

/** One of a fixed list of words, with a suggestion when it is near one. */
export function parseChoice<T extends string>(option: string, text: string, choices: readonly T[]): T {
  const found = choices.find((c) => c === text);
  if (found === undefined)
    throw new UsageError(usage.notOneOf(option, text, choices, nearest(text, choices)));
  return found;
}
