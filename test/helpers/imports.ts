/**
 * lib/'s imports for test/architecture.test.ts, read from the sources as text (no compiler API:
 * TypeScript here is version 7, whose package has none): the graph of lib/'s modules, its
 * cycles, and the imports of packages that reach past what the package offers.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';

export const REPO = path.resolve(__dirname, '..', '..', '..');
export const LIB = path.join(REPO, 'lib');

/** Every specifier a module imports: import/export ... from, bare import, require(), import(). Type-only ones too. */
export function importsOf(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /^\s*(?:import|export)\s[^;]*?\bfrom\s*['"]([^'"]+)['"]/gm,
    /^\s*import\s*['"]([^'"]+)['"]/gm,
    /\b(?:require|import)\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) for (const m of source.matchAll(pattern)) found.push(m[1]!);
  return [...new Set(found)];
}

/** lib/'s modules, paths relative to lib/ (`inotify/watcher.ts`), each with the specifiers it imports. */
export function readImports(): Map<string, string[]> {
  const imports = new Map<string, string[]>();
  const files = fs.readdirSync(LIB, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).sort();
  for (const file of files) imports.set(file.split(path.sep).join('/'), importsOf(fs.readFileSync(path.join(LIB, file), 'utf8')));
  return imports;
}

/** lib/'s modules and the lib/ modules each imports (imports outside lib/, like package.json, are left out). */
export function readGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const [rel, specs] of readImports()) {
    const targets: string[] = [];
    for (const spec of specs.filter((s) => s.startsWith('.'))) {
      const abs = path.resolve(LIB, path.dirname(rel), spec);
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

/**
 * Every cycle of the graph, one line a knot (a strongly connected set): the shortest cycle through
 * its first module, `a.ts -> b.ts -> a.ts`, then the knot's other modules. Type-only imports count:
 * they vanish at run time, but the two modules still cannot be understood or changed apart.
 */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[] {
  // Tarjan's strongly connected components.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const knots: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const knot = stack.splice(stack.indexOf(v));
    if (knot.length > 1 || graph.get(v)?.includes(v)) knots.push(knot.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return knots
    .map((knot) => {
      const loop = shortestLoop(graph, knot[0]!, new Set(knot));
      const rest = knot.filter((m) => !loop.includes(m));
      return `${loop.join(' -> ')}${rest.length > 0 ? ` (and in the same knot: ${rest.join(', ')})` : ''}`;
    })
    .sort();
}

/** The shortest way from `start` back to itself inside `knot` (breadth first). */
function shortestLoop(graph: ReadonlyMap<string, readonly string[]>, start: string, knot: ReadonlySet<string>): string[] {
  const paths: string[][] = [[start]];
  const seen = new Set<string>();
  for (const way of paths) {
    for (const next of graph.get(way.at(-1)!) ?? []) {
      if (next === start) return [...way, start];
      if (knot.has(next) && !seen.has(next)) {
        seen.add(next);
        paths.push([...way, next]);
      }
    }
  }
  throw new Error(`${start} is in a knot but on no cycle`);
}

/** The fields of a package.json that say what a package offers. */
export interface Manifest {
  readonly main?: string;
  readonly exports?: unknown;
}

/** `@scope/pkg/lib/x` -> `@scope/pkg` and `./lib/x`; a bare `pkg` is `.`, as in `exports`. */
function splitSpecifier(spec: string): { readonly name: string; readonly subpath: string } {
  const parts = spec.split('/');
  const length = spec.startsWith('@') ? 2 : 1;
  const rest = parts.slice(length).join('/');
  return { name: parts.slice(0, length).join('/'), subpath: rest === '' ? '.' : `./${rest}` };
}

/** `./lib/log4js.js`, `lib/log4js`, `./lib/log4js/index.js` are one file to require(). */
function sameFile(a: string, b: string): boolean {
  const bare = (p: string) => path.posix.normalize(p).replace(/\.js$/, '').replace(/\/index$/, '');
  return bare(a) === bare(b);
}

/** Whether a package offers `subpath`: a key (or `*` pattern) of its `exports`, or, with none, its main entry. */
export function offers(manifest: Manifest, subpath: string): boolean {
  const { exports } = manifest;
  if (exports === undefined || exports === null) return subpath === '.' || sameFile(subpath, manifest.main ?? 'index.js');
  // A string, an array or an object of conditions (`require`, `import`) offers the package itself only.
  if (typeof exports !== 'object' || Array.isArray(exports) || !Object.keys(exports).some((key) => key.startsWith('.'))) return subpath === '.';
  return Object.entries(exports).some(([key, target]) => {
    if (target === null) return false;
    const star = key.indexOf('*');
    if (star < 0) return key === subpath;
    return subpath.startsWith(key.slice(0, star)) && subpath.endsWith(key.slice(star + 1)) && subpath.length >= key.length - 1;
  });
}

/**
 * Every import of a package that lib/ may not make, `from -> specifier: why`: a package missing
 * from `dependencies` (make install prunes the others), or a module the package keeps to itself,
 * which can move or change in any release.
 */
export function packageImports(imports: ReadonlyMap<string, readonly string[]>, dependencies: ReadonlySet<string>, manifestOf: (name: string) => Manifest | undefined): string[] {
  const out: string[] = [];
  for (const [from, specs] of imports) {
    for (const spec of specs) {
      if (spec.startsWith('.') || spec.startsWith('node:') || builtinModules.includes(spec)) continue;
      const { name, subpath } = splitSpecifier(spec);
      const manifest = manifestOf(name);
      if (!dependencies.has(name)) out.push(`${from} -> ${spec}: ${name} is not in package.json's dependencies`);
      else if (manifest === undefined) out.push(`${from} -> ${spec}: ${name} is not installed`);
      else if (!offers(manifest, subpath)) out.push(`${from} -> ${spec}: a private module of ${name} (neither in its exports nor its main entry)`);
    }
  }
  return out.sort();
}

/** This repository's dependencies and their installed package.json files. */
export function installedPackages(): { readonly dependencies: ReadonlySet<string>; readonly manifestOf: (name: string) => Manifest | undefined } {
  const own = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const manifestOf = (name: string): Manifest | undefined => {
    const file = path.join(REPO, 'node_modules', name, 'package.json');
    return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest) : undefined;
  };
  return { dependencies: new Set(Object.keys(own.dependencies ?? {})), manifestOf };
}
