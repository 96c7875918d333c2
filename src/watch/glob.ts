// The watchtab's glob matcher, bounded: a pattern compiles to a small automaton that is run over
// the path once, all alternatives at a time (no backtracking), so a match costs at most
// (characters in the path) × (size of the pattern) steps, whatever names a user makes.
// Pattern syntax (what watchtab/path-pattern.ts writes): `\x` is the character x; `*` and `?` match
// within one component; `[…]` a character of a class (`!` or `^` negates, `a-z` ranges, `]` first is
// a member); `{a,b}` alternatives (nestable, may hold `/`); `**` as a whole component matches zero or
// more components. Wildcards and classes never match `/`; they match every other character (a
// newline too). Characters are Unicode code points.

const SLASH = 0x2f;

/** One step of the automaton. `next` is implicit (the following instruction) for the consuming ones. */
type Op =
  | { readonly op: 'char'; readonly code: number }
  | { readonly op: 'any' }
  | { readonly op: 'class'; readonly isNegated: boolean; readonly ranges: readonly number[] }
  | { readonly op: 'split'; x: number; y: number }
  | { readonly op: 'jump'; to: number }
  | { readonly op: 'match' };

type Item =
  | { readonly kind: 'char'; readonly code: number }
  | { readonly kind: 'any' }
  | { readonly kind: 'star' }
  | { readonly kind: 'globstar' }
  | { readonly kind: 'class'; readonly isNegated: boolean; readonly ranges: readonly number[] }
  | { readonly kind: 'alt'; readonly alternatives: readonly (readonly Item[])[] };

/** A compiled glob: `matches` runs in time linear in the path's length for a given pattern. */
export interface Glob {
  readonly source: string;
  matches(path: string): boolean;
}

/** Compiles `pattern` (never throws: a `[` or `{` that opens nothing is literal). */
export function compileGlob(pattern: string): Glob {
  const chars = Array.from(pattern, (c) => c.codePointAt(0) ?? 0);
  const parser = new Parser(chars);
  const items = parser.sequence(0, chars.length).items;
  const program: Op[] = [];
  emitSequence(items, program, true, true, true);
  program.push({ op: 'match' });
  // Checked first: a name that cannot end (or a path that cannot start) as the pattern's literal
  // text does is refused in constant time, before the automaton walks it (a flood of such names
  // made by a user must cost next to nothing; see bench/RESULTS-attacks.md).
  const head = literalHead(items);
  const tail = literalTail(items);
  if (isFolderAndAllBelow(items, head)) {
    // `/base/**`, the commonest pattern: the folder, or anything below it (a trailing `/` too).
    const below = `${head}/`;
    return { source: pattern, matches: (path) => path === head || path.startsWith(below) };
  }
  return {
    source: pattern,
    matches: (path) => path.startsWith(head) && path.endsWith(tail) && run(program, path),
  };
}

/** The characters every match starts with: the leading literals (a `/` that begins `/**` is optional). */
function literalHead(items: readonly Item[]): string {
  let end = 0;
  while (items[end]?.kind === 'char') end++;
  const last = items[end - 1];
  if (items[end]?.kind === 'globstar' && last?.kind === 'char' && last.code === SLASH) end--;
  return literalText(items.slice(0, end));
}

/** Whether `items` are `head` (literal, not empty), then `/**` and nothing more. */
function isFolderAndAllBelow(items: readonly Item[], head: string): boolean {
  const headLength = Array.from(head).length;
  const [slash, globstar, ...rest] = items.slice(headLength);
  return (
    headLength > 0 &&
    slash?.kind === 'char' &&
    slash.code === SLASH &&
    globstar?.kind === 'globstar' &&
    rest.length === 0
  );
}

/** The characters every match ends with: the trailing literals (emitted last, just before `match`). */
function literalTail(items: readonly Item[]): string {
  let start = items.length;
  while (start > 0 && items[start - 1]?.kind === 'char') start--;
  return literalText(items.slice(start));
}

function literalText(items: readonly Item[]): string {
  return items.map((item) => (item.kind === 'char' ? String.fromCodePoint(item.code) : '')).join('');
}

/** The code points of the characters the glob syntax gives a meaning to. */
const [
  BACKSLASH,
  OPEN_BRACE,
  CLOSE_BRACE,
  COMMA,
  OPEN_BRACKET,
  CLOSE_BRACKET,
  STAR,
  QUESTION,
  BANG,
  CARET,
  DASH,
] = Array.from('\\{},[]*?!^-', (c) => c.codePointAt(0)!);

class Parser {
  /** For each `{` that has a `,` of its own: the index of its `}`. */
  private readonly groups = new Map<number, number>();

  constructor(private readonly chars: readonly number[]) {
    const open: { at: number; hasComma: boolean }[] = [];
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i];
      if (c === BACKSLASH) i++;
      else if (c === OPEN_BRACKET && this.classEnd(i) > i) i = this.classEnd(i);
      else if (c === OPEN_BRACE) open.push({ at: i, hasComma: false });
      else if (c === COMMA && open.length > 0) open[open.length - 1]!.hasComma = true;
      else if (c === CLOSE_BRACE) {
        const group = open.pop();
        if (group?.hasComma === true) this.groups.set(group.at, i);
      }
    }
  }

  /** Items of chars[from, to), stopping early at a top-level `,` when `isAlternative`. */
  sequence(from: number, to: number, isAlternative = false): { items: Item[]; end: number } {
    const items: Item[] = [];
    let i = from;
    while (i < to) {
      const c = this.chars[i]!;
      if (c === COMMA && isAlternative) break;
      if (c === BACKSLASH && i + 1 < to) {
        items.push({ kind: 'char', code: this.chars[i + 1]! });
        i += 2;
      } else if (c === STAR) {
        let j = i;
        while (j < to && this.chars[j] === STAR) j++;
        items.push({ kind: j - i >= 2 ? 'globstar' : 'star' });
        i = j;
      } else if (c === QUESTION) {
        items.push({ kind: 'any' });
        i++;
      } else if (c === OPEN_BRACKET && this.classEnd(i) > i) {
        const end = this.classEnd(i);
        items.push(this.classItem(i + 1, end));
        i = end + 1;
      } else if (c === OPEN_BRACE && this.groups.has(i)) {
        const close = this.groups.get(i)!;
        const alternatives: Item[][] = [];
        let j = i + 1;
        for (;;) {
          const part = this.sequence(j, close, true);
          alternatives.push(part.items);
          if (part.end >= close) break;
          j = part.end + 1;
        }
        items.push({ kind: 'alt', alternatives });
        i = close + 1;
      } else {
        items.push({ kind: 'char', code: c });
        i++;
      }
    }
    return { items, end: i };
  }

  /** The index of the `]` closing a class opened at `start`; -1 when it is not a class. */
  classEnd(start: number): number {
    let i = start + 1;
    if (this.chars[i] === BANG || this.chars[i] === CARET) i++;
    if (this.chars[i] === CLOSE_BRACKET) i++;
    for (; i < this.chars.length; i++) {
      const c = this.chars[i];
      if (c === BACKSLASH) i++;
      else if (c === SLASH) return -1;
      else if (c === CLOSE_BRACKET) return i;
    }
    return -1;
  }

  /** The members of chars[from, end) as [low, high] pairs, flattened. */
  private classItem(from: number, end: number): Item {
    let i = from;
    const isNegated = this.chars[i] === BANG || this.chars[i] === CARET;
    if (isNegated) i++;
    const members: number[] = [];
    while (i < end) {
      if (this.chars[i] === BACKSLASH && i + 1 < end) i++;
      members.push(this.chars[i]!);
      i++;
      // A `-` between two members is a range; first or last it is itself.
      if (this.chars[i] === DASH && i + 1 < end) {
        let high = i + 1;
        if (this.chars[high] === BACKSLASH && high + 1 < end) high++;
        members.push(-1, this.chars[high]!);
        i = high + 1;
      }
    }
    const ranges: number[] = [];
    for (let k = 0; k < members.length; k++) {
      const low = members[k]!;
      if (members[k + 1] === -1) {
        ranges.push(low, members[k + 2]!);
        k += 2;
      } else {
        ranges.push(low, low);
      }
    }
    return { kind: 'class', isNegated, ranges };
  }
}

/**
 * Appends the instructions for `items`. `isStartBoundary`/`isEndBoundary`: whether a component
 * boundary (a `/`, or the pattern's start or end) is just before and after them, which is what
 * makes `**` a globstar; `isPatternEnd`: nothing follows at all.
 */
function emitSequence(
  items: readonly Item[],
  program: Op[],
  isStartBoundary: boolean,
  isEndBoundary: boolean,
  isPatternEnd: boolean,
): void {
  for (let k = 0; k < items.length; k++) {
    const item = items[k]!;
    const isSlash = (other: Item | undefined): boolean => other?.kind === 'char' && other.code === SLASH;
    const isLast = k === items.length - 1;
    const isBefore = k === 0 ? isStartBoundary : isSlash(items[k - 1]);
    const isAfter = isLast ? isEndBoundary : isSlash(items[k + 1]);
    const next = items[k + 1];
    // `/**` followed by `/` or the end: the slash and the globstar together are (/X)*.
    if (
      isSlash(item) &&
      next?.kind === 'globstar' &&
      (k + 1 === items.length - 1 ? isEndBoundary : isSlash(items[k + 2]))
    ) {
      emitSlashComponents(program, isPatternEnd && k + 1 === items.length - 1);
      k++;
      continue;
    }
    switch (item.kind) {
      case 'char':
        program.push({ op: 'char', code: item.code });
        break;
      case 'any':
        program.push({ op: 'any' });
        break;
      case 'class':
        program.push({ op: 'class', isNegated: item.isNegated, ranges: item.ranges });
        break;
      case 'star':
        emitStar(program);
        break;
      case 'globstar':
        if (isBefore && isAfter) emitComponents(program);
        else emitStar(program);
        break;
      case 'alt':
        emitAlternatives(item.alternatives, program, isBefore, isAfter, isPatternEnd && isLast);
        break;
    }
  }
}

/** `*`: any run of non-slash characters, the empty one too. */
function emitStar(program: Op[]): void {
  const loop = program.length;
  const split: Op = { op: 'split', x: loop + 1, y: 0 };
  program.push(split, { op: 'any' }, { op: 'jump', to: loop });
  split.y = program.length;
}

/** (/X)* with X a non-empty component; at the very end an optional trailing `/` (`/a/**` matches `/a/`). */
function emitSlashComponents(program: Op[], isPatternEnd: boolean): void {
  const loop = program.length;
  const split: Op = { op: 'split', x: loop + 1, y: 0 };
  program.push(split, { op: 'char', code: SLASH }, { op: 'any' });
  const inner = program.length;
  program.push({ op: 'split', x: inner + 1, y: loop }, { op: 'any' }, { op: 'jump', to: inner });
  split.y = program.length;
  if (isPatternEnd) {
    const tail: Op = { op: 'split', x: program.length + 1, y: 0 };
    program.push(tail, { op: 'char', code: SLASH });
    tail.y = program.length;
  }
}

/** X(/X)*: one or more whole components (a globstar not preceded by a slash of its own sequence). */
function emitComponents(program: Op[]): void {
  program.push({ op: 'any' });
  const inner = program.length;
  const split: Op = { op: 'split', x: inner + 1, y: 0 };
  program.push(split, { op: 'any' }, { op: 'jump', to: inner });
  const more: Op = { op: 'split', x: program.length + 1, y: 0 };
  split.y = program.length;
  program.push(more, { op: 'char', code: SLASH }, { op: 'any' }, { op: 'jump', to: inner });
  more.y = program.length;
}

function emitAlternatives(
  alternatives: readonly (readonly Item[])[],
  program: Op[],
  isBefore: boolean,
  isAfter: boolean,
  isPatternEnd: boolean,
): void {
  const jumps: { op: 'jump'; to: number }[] = [];
  alternatives.forEach((alternative, index) => {
    const isLastAlternative = index === alternatives.length - 1;
    const split: Op | null = isLastAlternative ? null : { op: 'split', x: program.length + 1, y: 0 };
    if (split !== null) program.push(split);
    emitSequence(alternative, program, isBefore, isAfter, isPatternEnd);
    if (!isLastAlternative) {
      const jump = { op: 'jump' as const, to: 0 };
      jumps.push(jump);
      program.push(jump);
    }
    if (split !== null) split.y = program.length;
  });
  for (const jump of jumps) jump.to = program.length;
}

function isInClass(code: number, ranges: readonly number[]): boolean {
  for (let k = 0; k < ranges.length; k += 2) if (code >= ranges[k]! && code <= ranges[k + 1]!) return true;
  return false;
}

/** Runs the automaton over `path`, every live state at once (Thompson's construction). */
function run(program: readonly Op[], path: string): boolean {
  let current: number[] = [];
  let next: number[] = [];
  // seen[pc] === step: pc is already in the list being built for that step.
  const seen = new Int32Array(program.length).fill(-1);
  let step = 0;
  const add = (list: number[], start: number): void => {
    const stack = [start];
    while (stack.length > 0) {
      const pc = stack.pop()!;
      if (seen[pc] === step) continue;
      seen[pc] = step;
      const op = program[pc]!;
      if (op.op === 'jump') stack.push(op.to);
      else if (op.op === 'split') stack.push(op.y, op.x);
      else list.push(pc);
    }
  };
  add(current, 0);
  for (let i = 0; i < path.length && current.length > 0;) {
    const code = path.codePointAt(i)!;
    i += code > 0xffff ? 2 : 1;
    step++;
    for (const pc of current) {
      const op = program[pc]!;
      const isTaken =
        (op.op === 'char' && op.code === code) ||
        (op.op === 'any' && code !== SLASH) ||
        (op.op === 'class' && code !== SLASH && isInClass(code, op.ranges) !== op.isNegated);
      if (isTaken) add(next, pc + 1);
    }
    [current, next] = [next, current];
    next.length = 0;
  }
  return current.some((pc) => program[pc]!.op === 'match');
}
