/**
 * bench/ stands on its own (issue 17): no bench file imports from test/, and no test imports from
 * bench/ but a bench module's own unit test. What both need (the workload generator, its rng, tree
 * snapshots, loopback ports) lives in workload/ at the top. The imports are read from the sources as text, as test/architecture.test.ts does.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const ROOT = path.resolve(__dirname, '..', '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const abs = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(abs));
    else if (e.name.endsWith('.ts')) out.push(abs);
  }
  return out;
}

/** The relative module specifiers of a source: `from '...'`, `import('...')`, `require('...')`. */
export function relativeImports(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g)) out.push(m[1]!);
  return out;
}

/** `folder`'s files that import something under `forbidden` (both relative to the repository). */
function crossings(folder: string, forbidden: string): string[] {
  const bad: string[] = [];
  const fence = path.join(ROOT, forbidden) + path.sep;
  for (const file of sources(path.join(ROOT, folder))) {
    for (const spec of relativeImports(fs.readFileSync(file, 'utf8'))) {
      const target = path.resolve(path.dirname(file), spec);
      if (`${target}${path.sep}`.startsWith(fence)) bad.push(`${path.relative(ROOT, file)} -> ${spec}`);
    }
  }
  return bad;
}

test('the import reader sees every relative form, and no package import', () => {
  const text = "import a from '../test/x';\nimport { b } from './y';\nconst c = require('../z');\nvoid import('./w');\nimport './side';\nimport fs from 'node:fs';";
  assert.deepEqual(relativeImports(text), ['../test/x', './y', '../z', './w', './side']);
});

test('no file under bench/ imports from test/', () => {
  assert.deepEqual(crossings('bench', 'test'), []);
});

// A bench module may have a unit test of its own (test/bench-NAME.test.ts): the test depends on
// the bench, never the other way, and no other test or helper reaches into bench/.
test('no file under test/ imports from bench/, except a bench module\'s own unit test', () => {
  const own = /^test\/bench-[a-z-]+\.test\.ts -> \.\.\/bench\/[a-zA-Z/]+$/;
  assert.deepEqual(crossings('test', 'bench').filter((c) => !own.test(c)), []);
});

test('workload/, shared by both, imports from neither', () => {
  assert.deepEqual([...crossings('workload', 'test'), ...crossings('workload', 'bench')], []);
});
