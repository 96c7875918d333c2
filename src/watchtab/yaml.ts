// The YAML watchtab format: a mapping with `env` (for every entry) and `entries` (a list of
// mappings). This turns the document into raw entries with a place (line, column) for every
// value; what the values mean is validate.ts's job, shared with the classic format.
import {
  isMap,
  isNode,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type Document,
  type Node,
  type Pair,
  type YAMLSeq,
} from 'yaml';
import { watchtabMessages as msg } from '../log/messages/watchtab.js';
import type { ParsedFile } from './classic.js';
import { problemAt, type Place, type Problem } from './problem.js';
import type { RawEntry } from './validate.js';
import { Checker, checkEnv, typeName, type RawField } from './values.js';

export const FILE_KEYS = ['env', 'entries'] as const;

type PlaceOf = (offset: number) => Place;

export function parseYaml(text: string, file: string): ParsedFile {
  const counter = new LineCounter();
  const docs = parseAllDocuments(text, {
    lineCounter: counter,
    prettyErrors: false,
    uniqueKeys: true,
    keepSourceTokens: true,
  });
  const placeOf: PlaceOf = (offset) => {
    const pos = counter.linePos(offset);
    return { file, line: pos.line, column: pos.col };
  };
  const syntax = docs.flatMap((doc) =>
    doc.errors.map((e) =>
      problemAt(placeOf(e.pos[0]), 'E_SYNTAX', msg.yamlSyntax(e.message.split('\n')[0] ?? '')),
    ),
  );
  if (syntax.length > 0) return { entries: [], problems: syntax };
  if (docs.length > 1) {
    return {
      entries: [],
      problems: [problemAt({ file, line: 0 }, 'E_SYNTAX', msg.yamlDocuments(docs.length))],
    };
  }
  const doc = docs[0];
  const root = doc?.contents ?? null;
  if (doc === undefined || isNull(root)) return { entries: [], problems: [] };
  if (!isMap(root)) {
    const problem = typeProblem(placeOf(nodeStart(root)), undefined, 'a mapping with "entries"', root);
    return { entries: [], problems: [problem] };
  }
  const problems: Problem[] = [];
  let env: Record<string, string> = {};
  let list: Node | null = null;
  for (const pair of root.items) {
    const key = keyText(pair);
    if (key === 'env') {
      const place = valuePlace(pair, placeOf);
      const value = envToJs(doc, pair.value, place, problems);
      if (value === ALIAS_ERROR) continue;
      env = checkEnv(new Checker(problems, 'env', { value, place })) ?? env;
    } else if (key === 'entries') {
      list = nodeOf(pair.value);
    } else {
      const place = placeOf(nodeStart(nodeOf(pair.key)));
      problems.push(
        problemAt(place, 'E_KEY_UNKNOWN', msg.unknownKey(key), { key, found: key, allowed: FILE_KEYS }),
      );
    }
  }
  return { entries: isNull(list) ? [] : rawEntries(doc, list, env, placeOf, problems), problems };
}

/** The `entries` list → raw entries (with their env), recording type problems. */
function rawEntries(
  doc: Document,
  list: Node,
  env: Readonly<Record<string, string>>,
  placeOf: PlaceOf,
  problems: Problem[],
): RawEntry[] {
  if (!isSeq(list)) {
    problems.push(typeProblem(placeOf(nodeStart(list)), 'entries', 'a list', list));
    return [];
  }
  const entries: RawEntry[] = [];
  const indicators = itemIndicators(list);
  list.items.forEach((value, index) => {
    const item = nodeOf(value);
    // The entry's place is its list item's `-` (a flow list has none: the item itself).
    const place = placeOf(indicators[index] ?? nodeStart(item));
    const entry = rawEntry(doc, item, place, env, placeOf, problems);
    if (entry !== null) entries.push(entry);
  });
  return entries;
}

/** One list item → a raw entry; null (with the problem recorded) when it is not a mapping. */
function rawEntry(
  doc: Document,
  item: Node | null,
  place: Place,
  env: Readonly<Record<string, string>>,
  placeOf: PlaceOf,
  problems: Problem[],
): RawEntry | null {
  if (!isMap(item)) {
    problems.push(typeProblem(place, 'entries', 'a mapping (one entry)', item));
    return null;
  }
  const fields = new Map<string, RawField>();
  for (const pair of item.items) {
    const key = keyText(pair);
    const valuePlaceOf = valuePlace(pair, placeOf);
    const value =
      key === 'env'
        ? envToJs(doc, pair.value, valuePlaceOf, problems)
        : toJs(doc, pair.value, valuePlaceOf, problems, key);
    if (value === ALIAS_ERROR) return null;
    const source = scalarSource(pair.value);
    const itemPlaces = isSeq(pair.value)
      ? pair.value.items.map((node) => placeOf(nodeStart(nodeOf(node))))
      : undefined;
    fields.set(key, {
      value,
      place: valuePlaceOf,
      keyPlace: placeOf(nodeStart(nodeOf(pair.key))),
      ...(source !== undefined ? { source } : {}),
      ...(itemPlaces !== undefined ? { itemPlaces } : {}),
    });
  }
  return { place: { file: place.file, line: place.line }, fields, env };
}

/** The offset of each block list item's `-`, from the source tokens (kept for this). */
function itemIndicators(list: YAMLSeq): (number | undefined)[] {
  const token = list.srcToken;
  if (token?.type !== 'block-seq') return [];
  return token.items.map((item) => item.start.find((t) => t.type === 'seq-item-ind')?.offset);
}

/** A non-string scalar's text as written (`01234`, `1.10`, `1e3`); undefined for anything else. */
function scalarSource(value: unknown): string | undefined {
  if (!isScalar(value) || typeof value.value === 'string' || value.value === null) return undefined;
  return typeof value.source === 'string' ? value.source : undefined;
}

/** The YAML node a pair's key or value holds, if any (the yaml types leave them unknown). */
function nodeOf(value: unknown): Node | null {
  return isNode(value) ? value : null;
}

function isNull(node: Node | null): node is null {
  return node === null || (isScalar(node) && node.value === null);
}

function nodeStart(node: Node | null | undefined): number {
  return node?.range?.[0] ?? 0;
}

function keyText(pair: Pair): string {
  return isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
}

/** Where a key's value is written; the key's place when the value is empty. */
function valuePlace(pair: Pair, placeOf: PlaceOf): Place {
  return placeOf(nodeOf(pair.value)?.range?.[0] ?? nodeStart(nodeOf(pair.key)));
}

/** What toJs gives when resolving the value failed (the problem is recorded). */
const ALIAS_ERROR = Symbol('alias error');

/**
 * A node as plain data (aliases resolved); what validate.ts receives as `unknown`. Too many
 * aliases (an alias bomb: the yaml library refuses to expand it) is a problem at `place`.
 */
function toJs(doc: Document, value: unknown, place: Place, problems: Problem[], key: string): unknown {
  if (value === null || value === undefined) return null;
  if (!isNode(value)) return value;
  try {
    return value.toJS(doc, { maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    problems.push(problemAt(place, 'E_SYNTAX', msg.yamlAliases(MAX_ALIAS_COUNT), { key }));
    return ALIAS_ERROR;
  }
}

/** How many alias expansions one value may take (the yaml library's default). */
const MAX_ALIAS_COUNT = 100;

/**
 * An `env` mapping as plain data, with numbers and booleans as written: `ZIP: 01234` is "01234",
 * `VER: 1.10` is "1.10" (a shell variable is text; YAML's number would lose the zeros).
 */
function envToJs(doc: Document, value: unknown, place: Place, problems: Problem[]): unknown {
  const data = toJs(doc, value, place, problems, 'env');
  if (!isMap(value) || data === ALIAS_ERROR || typeof data !== 'object' || data === null) return data;
  const written: Record<string, unknown> = { ...data };
  for (const pair of value.items) {
    const source = scalarSource(pair.value);
    const key = keyText(pair);
    if (source !== undefined && Object.hasOwn(written, key)) written[key] = source;
  }
  return written;
}

function typeProblem(place: Place, key: string | undefined, expected: string, node: Node | null): Problem {
  const found =
    node === null || isScalar(node)
      ? typeName(node?.value)
      : isMap(node)
        ? 'a mapping'
        : isSeq(node)
          ? 'a list'
          : 'an alias';
  return problemAt(place, 'E_TYPE', msg.wrongType(expected, found), key === undefined ? {} : { key });
}
