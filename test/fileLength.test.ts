/**
 * The project's rule for small modules: every file of lib/, native/ and bench/ is under 300 lines.
 * Only bench/results is left out: it holds measurements the bench writes (JSON, SVG), not code.
 * The files are read from the source tree, so a file not yet committed is held to it too.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const MAX_LINES = 300;
/** The repository: this file runs from dist/test. */
const ROOT = path.resolve(__dirname, '..', '..');
const GENERATED = new Set([path.join('bench', 'results')]);

function filesUnder(relative: string): string[] {
  if (GENERATED.has(relative)) return [];
  const entries = fs.readdirSync(path.join(ROOT, relative), { withFileTypes: true });
  return entries.flatMap((entry) => {
    const child = path.join(relative, entry.name);
    if (entry.isDirectory()) return filesUnder(child);
    return entry.isFile() ? [child] : [];
  });
}

/** Lines as wc -l counts them, plus a last line without its newline. */
function lineCount(text: string): number {
  const newlines = text.split('\n').length - 1;
  return text.length > 0 && !text.endsWith('\n') ? newlines + 1 : newlines;
}

test('lineCount counts what an editor shows', () => {
  assert.equal(lineCount(''), 0);
  assert.equal(lineCount('a\n'), 1);
  assert.equal(lineCount('a\nb'), 2);
  assert.equal(lineCount(`${'x\n'.repeat(MAX_LINES)}`), MAX_LINES);
});

test(`every file of lib/, native/ and bench/ is under ${MAX_LINES} lines`, () => {
  const files = ['lib', 'native', 'bench'].flatMap(filesUnder);
  assert.ok(files.length > 100, `only ${files.length} files found under ${ROOT}: the walk is wrong`);
  for (const dir of ['lib', 'native', 'bench']) assert.ok(files.some((f) => f.startsWith(dir + path.sep)), `no file under ${dir}/`);
  const long = files
    .map((file) => ({ file, lines: lineCount(fs.readFileSync(path.join(ROOT, file), 'utf8')) }))
    .filter(({ lines }) => lines >= MAX_LINES)
    .map(({ file, lines }) => `${file}: ${lines} lines`);
  assert.deepEqual(long, [], `split these files (each under ${MAX_LINES} lines):\n${long.join('\n')}`);
});
