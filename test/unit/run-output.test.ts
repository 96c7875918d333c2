// A command's output into log lines: joined across chunks, cut at the cap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter, type Line } from '../../src/run/output.js';

function split(chunks: string[], cap: number): Line[] {
  const lines: Line[] = [];
  const s = new LineSplitter((l) => lines.push(l), cap);
  for (const c of chunks) s.push(Buffer.from(c));
  s.end();
  return lines;
}

test('lines are joined across chunks and a last line without newline is kept', () => {
  assert.deepEqual(split(['ab', 'c\nde', 'f\n\ng'], 10), [
    { text: 'abc', isCut: false },
    { text: 'def', isCut: false },
    { text: '', isCut: false },
    { text: 'g', isCut: false },
  ]);
});

test('a line longer than the cap is cut at the cap, once, and the next line is whole', () => {
  assert.deepEqual(split(['0123', '456789abc', 'def\nok\n', '0123456'], 6), [
    { text: '012345', isCut: true },
    { text: 'ok', isCut: false },
    { text: '012345', isCut: true },
  ]);
  assert.deepEqual(split(['012345\n'], 6), [{ text: '012345', isCut: false }]);
});

test('output without any newline costs the cap, however long it is', () => {
  const lines: Line[] = [];
  const s = new LineSplitter((l) => lines.push(l), 4096);
  const chunk = Buffer.alloc(65536, 0x78);
  for (let i = 0; i < 2000; i += 1) s.push(chunk); // 128 MiB through a 4 KiB buffer
  s.end();
  assert.equal(lines.length, 1);
  assert.equal(lines[0]?.text.length, 4096);
});
