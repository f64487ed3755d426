/**
 * The folder layout is the data path (GUIDE.md): config -> inotify -> events -> queue -> workers ->
 * rsync/plugins -> fail log, then the job handler that composes that tail (dispatch), with cli and
 * daemon on top. The command model and the runner that runs it are leaves below the data path:
 * rsync and plugins build commands, and everything after them runs commands and reads results. A module may import its own layer and the layers before it, never one
 * after it, and no module may import itself back through others (a cycle), in a layer or across.
 * A package is imported by what it offers (its exports, or its main entry), never a module of its own.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { cycles, importsOf, installedPackages, LIB, type Manifest, offers, packageImports, readGraph, readImports } from './helpers/imports';

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
  // A command as data (its sersync2 string a rendering of it, read back from the fail log), its exit codes and policies.
  { name: 'command', members: ['command/'] },
  // Runs a command and gives its result; knows no rsync settings and no plugin.
  { name: 'runner', members: ['runner/'] },
  { name: 'watchers', members: ['inotify/', 'fanotify/'] },
  { name: 'events', members: ['events/'] },
  { name: 'queue', members: ['queue/'] },
  { name: 'workers', members: ['workers/'] },
  { name: 'rsync/plugins', members: ['rsync/', 'plugin/'] },
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
const KNOWN: ReadonlyMap<string, string> = new Map();

/**
 * Modules that only some folders may import, whatever their layer: the kernel's mask bits stop at
 * the event rules (issue 15, item 1: nothing past lib/events reads a mask bit).
 */
const PRIVATE: ReadonlyMap<string, readonly string[]> = new Map([['inotify/mask.ts', ['inotify/', 'events/']]]);

/** Reading of mask bits past lib/events, each with why it stays: none. */
const KNOWN_PRIVATE: ReadonlySet<string> = new Set();

/** Import cycles among lib/'s modules, as cycles() words them, each with why it stays: none. */
const KNOWN_CYCLES: ReadonlyMap<string, string> = new Map();

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

test('the import reader finds every form of import, of modules and of packages', () => {
  const source = [
    "import fs from 'node:fs';",
    "import log4js from 'log4js';",
    "import type { P } from 'cron-parser';",
    "const x = require('xml2js/lib/parser');",
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
  assert.deepEqual(importsOf(source).sort(), ['../a', '../d', '../f', './b', './e', './g.js', './side-effect', 'cron-parser', 'log4js', 'node:fs', 'xml2js/lib/parser']);
});

test('every module under lib/ has a layer', () => {
  const graph = readGraph();
  assert.ok(graph.size > 50, `only ${graph.size} modules read under ${LIB}`);
  // Imports the reader must see: a plain one, a dynamic import('../daemon/run.js'), a type-only one.
  assert.ok(graph.get('daemon/watch.ts')?.includes('fanotify/auto.ts'));
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

test('a cycle is reported, in a layer or across layers (a synthetic graph)', () => {
  const graph = new Map<string, string[]>([
    ['cli/main.ts', ['cli/args.ts', 'daemon/run.ts']],
    ['cli/args.ts', ['cli/options.ts']],
    ['cli/options.ts', ['cli/main.ts', 'log/logger.ts']],
    ['daemon/run.ts', ['daemon/parts.ts']],
    ['daemon/parts.ts', ['daemon/run.ts', 'cli/args.ts']],
    ['log/logger.ts', ['log/logger.ts']],
    ['paths.ts', []],
  ]);
  assert.deepEqual(cycles(graph), ['cli/args.ts -> cli/options.ts -> cli/main.ts -> cli/args.ts (and in the same knot: daemon/parts.ts, daemon/run.ts)', 'log/logger.ts -> log/logger.ts']);
  assert.deepEqual(cycles(new Map([['a.ts', ['b.ts']], ['b.ts', []]])), []);
});

test('lib/ has no import cycles, but for the known exceptions', () => {
  const found = cycles(readGraph());
  assert.deepEqual(found.filter((c) => !KNOWN_CYCLES.has(c)), [], 'import cycles among lib/ modules');
  assert.deepEqual([...KNOWN_CYCLES.keys()].filter((c) => !found.includes(c)), [], 'known exceptions that no longer occur: take them off the list');
});

test("what a package offers: its exports' keys and patterns, or with no exports its main entry (synthetic manifests)", () => {
  const noExports: Manifest = { main: './lib/log4js' };
  assert.ok(offers(noExports, '.'));
  assert.ok(offers(noExports, './lib/log4js.js'));
  assert.ok(!offers(noExports, './lib/appenders/file'));
  assert.ok(offers({}, './index.js'), 'main is index.js by default');
  const mapped: Manifest = { exports: { '.': './dist/index.js', './extra': './dist/extra.js', './lib/*.js': './dist/*.js', './lib/internal/*': null } };
  assert.ok(offers(mapped, './extra') && offers(mapped, './lib/a.js'));
  assert.ok(!offers(mapped, './dist/index.js') && !offers(mapped, './lib/internal/x') && !offers(mapped, './lib/a'));
  assert.ok(offers({ exports: { require: './a.js', import: './a.mjs' } }, '.'));
  assert.ok(!offers({ exports: './a.js', main: './b.js' }, './b.js'), 'exports, when there, overrules main');
  const manifests = new Map<string, Manifest>([['log4js', noExports], ['@scope/pkg', mapped], ['esbuild', {}]]);
  const imports = new Map([['log/logger.ts', ['log4js', 'log4js/lib/appenders/file', 'node:fs', 'fs/promises', '../paths']], ['x/y.ts', ['@scope/pkg/extra', '@scope/pkg/dist/extra.js', 'esbuild']]]);
  assert.deepEqual(packageImports(imports, new Set(['log4js', '@scope/pkg']), (name) => manifests.get(name)), [
    'log/logger.ts -> log4js/lib/appenders/file: a private module of log4js (neither in its exports nor its main entry)',
    "x/y.ts -> @scope/pkg/dist/extra.js: a private module of @scope/pkg (neither in its exports nor its main entry)",
    "x/y.ts -> esbuild: esbuild is not in package.json's dependencies",
  ]);
});

test("lib/ imports packages of its dependencies only, and only what they offer", () => {
  const imports = readImports();
  // Packages the reader must see: a plain import, a type-only one and a require() (cron-parser has both).
  assert.ok(imports.get('log/logger.ts')?.includes('log4js'));
  assert.ok(imports.get('crontab/cronParser.ts')?.includes('cron-parser'));
  const { dependencies, manifestOf } = installedPackages();
  assert.deepEqual(packageImports(imports, dependencies, manifestOf), []);
});
