/**
 * The folder layout is the data path (GUIDE.md): config -> inotify -> events -> queue -> workers ->
 * rsync/plugins -> runner -> fail log, then the job handler that composes that tail (dispatch), with
 * cli and daemon on top. A module may import its own layer and the layers before it, never one
 * after it. The imports are read from the sources under lib/ as text (no compiler API: TypeScript here is version 7, whose package has none).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const LIB = path.resolve(__dirname, '..', '..', 'lib');

/**
 * Lowest first. A member is a file (`paths.ts`), a folder (`inotify/`), or `config.ts`: an
 * element's config module in any folder (`rsync/config.ts`), which config/load.ts reads in.
 * A file beats `config.ts`, which beats a folder.
 */
const LAYERS: ReadonlyArray<{ readonly name: string; readonly members: readonly string[] }> = [
  // Leaves every layer may use.
  { name: 'shared', members: ['paths.ts', 'errno.ts', 'clock.ts', 'addon.ts', 'startError.ts', 'shell/', 'progress/', 'sea/isSea.ts'] },
  // confxml.xml's elements and what reads them; the logger is set up from the options and <debug>.
  { name: 'config', members: ['config/', 'config.ts', 'filter/', 'crontab/', 'localpath/', 'host/', 'debug/', 'fileSystem/', 'plugin/localpath.ts', 'log/'] },
  { name: 'inotify', members: ['inotify/'] },
  { name: 'events', members: ['events/'] },
  { name: 'queue', members: ['queue/'] },
  { name: 'workers', members: ['workers/'] },
  { name: 'rsync/plugins', members: ['rsync/', 'plugin/'] },
  { name: 'runner', members: ['runner/'] },
  { name: 'fail log', members: ['failLog/'] },
  // The job handler: composes the tail of the path (commands, runs, plugin, fail log) for the workers.
  { name: 'dispatch', members: ['dispatch/'] },
  // What looks at the running daemon or the remote from outside the data path.
  { name: 'status, metrics, verify', members: ['status/', 'metrics/', 'verify/'] },
  { name: 'cli/daemon', members: ['cli/', 'daemon/', 'sea/'] },
];

/**
 * Imports against the data path that are there today, each `from -> to` with why it stays for now.
 * The list must be exact: a new violation fails, and so does an entry that no longer occurs.
 */
const KNOWN: ReadonlyMap<string, string> = new Map([
  // Kept: turning these round would need a second, plugin-side model of a run beside runner/'s one.
  ['plugin/plugin.ts -> runner/shell.ts', 'a plugin is handed the runner (CommandRunner) its commands go through'],
  ['plugin/command/plugin.ts -> runner/result.ts', 'the command plugin judges and reports the result (exit, signal, failed start) of its command'],
]);

/**
 * Modules that only some folders may import, whatever their layer: the kernel's mask bits stop at
 * the event rules (issue 15, item 1: nothing past lib/events reads a mask bit).
 */
const PRIVATE: ReadonlyMap<string, readonly string[]> = new Map([['inotify/mask.ts', ['inotify/', 'events/']]]);

/** Reading of mask bits past lib/events, each with why it stays: none. */
const KNOWN_PRIVATE: ReadonlySet<string> = new Set();

/** The relative specifiers a module imports: import/export ... from, bare import, require(), import(). */
function importsOf(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /^\s*(?:import|export)\s[^;]*?\bfrom\s*['"]([^'"]+)['"]/gm,
    /^\s*import\s*['"]([^'"]+)['"]/gm,
    /\b(?:require|import)\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) for (const m of source.matchAll(pattern)) found.push(m[1]!);
  return [...new Set(found)].filter((spec) => spec.startsWith('.'));
}

/** The layer index of a module path relative to lib/ (`inotify/watcher.ts`), or undefined. */
function layerOf(rel: string): number | undefined {
  const find = (ok: (member: string) => boolean) => LAYERS.findIndex((layer) => layer.members.some(ok));
  const byFile = find((m) => m === rel);
  if (byFile >= 0) return byFile;
  if (path.posix.basename(rel) === 'config.ts') return find((m) => m === 'config.ts');
  let best: { index: number; length: number } | undefined;
  LAYERS.forEach((layer, index) => {
    for (const m of layer.members) {
      if (m.endsWith('/') && rel.startsWith(m) && (!best || m.length > best.length)) best = { index, length: m.length };
    }
  });
  return best?.index;
}

/** Every import that goes against the layers, as `from -> to`, and every module with no layer. */
function violations(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) {
    const own = layerOf(from);
    if (own === undefined) {
      out.push(`${from}: in no layer of the table`);
      continue;
    }
    for (const to of targets) {
      const theirs = layerOf(to);
      if (theirs === undefined) out.push(`${from} -> ${to}: ${to} is in no layer of the table`);
      else if (theirs > own) out.push(`${from} -> ${to}`);
    }
  }
  return out.sort();
}

/** Every import of a module kept to some folders (PRIVATE) from outside them, as `from -> to`. */
function privateImports(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const out: string[] = [];
  for (const [from, targets] of graph) {
    for (const to of targets) {
      const allowed = PRIVATE.get(to);
      if (allowed && !allowed.some((folder) => from.startsWith(folder))) out.push(`${from} -> ${to}`);
    }
  }
  return out.sort();
}

/** lib/'s modules and the lib/ modules each imports, paths relative to lib/ (imports outside lib/, like package.json, are left out). */
function readGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const files = fs.readdirSync(LIB, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).sort();
  for (const file of files) {
    const rel = file.split(path.sep).join('/');
    const targets: string[] = [];
    for (const spec of importsOf(fs.readFileSync(path.join(LIB, file), 'utf8'))) {
      const abs = path.resolve(LIB, path.dirname(file), spec);
      if (!abs.startsWith(LIB + path.sep)) continue;
      const candidates = [abs.replace(/\.js$/, '.ts'), `${abs}.ts`, path.join(abs, 'index.ts')];
      const target = candidates.find((c) => c.endsWith('.ts') && fs.existsSync(c));
      assert.ok(target, `${rel} imports '${spec}', which is no module under lib/`);
      targets.push(path.relative(LIB, target).split(path.sep).join('/'));
    }
    graph.set(rel, targets);
  }
  return graph;
}

test('the import reader finds every form of import, and only relative ones', () => {
  const source = [
    "import fs from 'node:fs';",
    "import type { A } from '../a';",
    'import {',
    '  b,',
    '  c,',
    "} from './b';",
    "import './side-effect';",
    "export { d } from '../d';",
    "export * from './e';",
    "const f = require('../f') as F;",
    "const g = await import('./g.js');",
    "const text = 'from here on';",
  ].join('\n');
  assert.deepEqual(importsOf(source).sort(), ['../a', '../d', '../f', './b', './e', './g.js', './side-effect']);
});

test('every module under lib/ has a layer', () => {
  const graph = readGraph();
  assert.ok(graph.size > 50, `only ${graph.size} modules read under ${LIB}`);
  // Imports the reader must see: a plain one, a dynamic import('../daemon/run.js'), a type-only one.
  assert.ok(graph.get('daemon/watch.ts')?.includes('inotify/watcher.ts'));
  assert.ok(graph.get('cli/main.ts')?.includes('daemon/run.ts'));
  assert.ok(graph.get('inotify/watcherTypes.ts')?.includes('filter/config.ts'));
  assert.deepEqual([...graph.keys()].filter((rel) => layerOf(rel) === undefined), []);
});

test('an import against the data path is reported (a synthetic graph)', () => {
  const graph = new Map<string, string[]>([
    ['inotify/watcher.ts', ['events/rules.ts', 'filter/exclude.ts', 'paths.ts']],
    ['events/rules.ts', ['inotify/mask.ts', 'rsync/config.ts']],
    ['paths.ts', ['config/errors.ts']],
    ['cli/main.ts', ['daemon/run.ts', 'failLog/file.ts']],
    ['runner/shell.ts', ['failLog/config.ts', 'failLog/file.ts']],
    ['nowhere/x.ts', []],
  ]);
  assert.deepEqual(violations(graph), [
    'inotify/watcher.ts -> events/rules.ts',
    'nowhere/x.ts: in no layer of the table',
    'paths.ts -> config/errors.ts',
    'runner/shell.ts -> failLog/file.ts',
  ]);
});

test('a module kept to some folders is reported when imported from elsewhere (a synthetic graph)', () => {
  const graph = new Map([
    ['events/rules.ts', ['inotify/mask.ts']],
    ['inotify/watcher.ts', ['inotify/mask.ts']],
    ['workers/pool.ts', ['inotify/mask.ts', 'queue/queue.ts']],
  ]);
  assert.deepEqual(privateImports(graph), ['workers/pool.ts -> inotify/mask.ts']);
});

test('the mask bits are read by inotify/ and events/ only, but for the known exceptions', () => {
  const found = privateImports(readGraph());
  assert.deepEqual(found.filter((v) => !KNOWN_PRIVATE.has(v)), [], 'mask bits read past lib/events');
  assert.deepEqual([...KNOWN_PRIVATE].filter((v) => !found.includes(v)), [], 'known exceptions that no longer occur: take them off the list');
});

test('lib/ imports along the data path only, but for the known exceptions', () => {
  const found = violations(readGraph());
  const unknown = found.filter((v) => !KNOWN.has(v));
  const gone = [...KNOWN.keys()].filter((v) => !found.includes(v));
  assert.deepEqual(unknown, [], `imports against the layers (${LAYERS.map((l) => l.name).join(' < ')})`);
  assert.deepEqual(gone, [], 'known exceptions that no longer occur: take them off the list');
});
