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
} from 'yaml';
import { watchtabMessages as msg } from '../log/messages/watchtab.js';
import type { ParsedFile } from './classic.js';
import { problemAt, type Place, type Problem } from './problem.js';
import type { RawEntry } from './validate.js';
import { Checker, checkEnv, typeName, type RawField } from './values.js';

export const FILE_KEYS = ['env', 'entries'] as const;

/** A file is YAML by its name, or when its first line that is not blank or a comment is `---`. */
export function isYaml(file: string, text: string): boolean {
  if (/\.ya?ml$/.test(file)) return true;
  const first = text.split('\n').find((line) => line.trim() !== '' && !line.trim().startsWith('#'));
  return first !== undefined && /^---(\s|$)/.test(first.trim());
}

type PlaceOf = (offset: number) => Place;

export function parseYaml(text: string, file: string): ParsedFile {
  const counter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
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
      const field: RawField = { value: toJs(doc, pair.value), place: valuePlace(pair, placeOf) };
      env = checkEnv(new Checker(problems, 'env', field)) ?? env;
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
  for (const item of list.items.map(nodeOf)) {
    const place = placeOf(nodeStart(item));
    if (!isMap(item)) {
      problems.push(typeProblem(place, 'entries', 'a mapping (one entry)', item));
      continue;
    }
    const fields = new Map<string, RawField>();
    for (const pair of item.items) {
      fields.set(keyText(pair), {
        value: toJs(doc, pair.value),
        place: valuePlace(pair, placeOf),
        keyPlace: placeOf(nodeStart(nodeOf(pair.key))),
      });
    }
    entries.push({ place: { file: place.file, line: place.line }, fields, env });
  }
  return entries;
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

/** A node as plain data (aliases resolved); what validate.ts receives as `unknown`. */
function toJs(doc: Document, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  return isNode(value) ? value.toJS(doc) : value;
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
