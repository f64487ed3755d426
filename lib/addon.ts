/**
 * Where our node-gyp addons (binding.gyp's targets) are: build/Release or build/Debug of the
 * package root, seen from the sources (lib/) or the compiled program (dist/lib/, also as
 * `make install` lays it out).
 */
import fs from 'node:fs';
import path from 'node:path';

/** The candidate files of addon `name` (e.g. 'inotify' for inotify.node), in search order. */
export function addonCandidates(name: string): string[] {
  const roots = [path.resolve(__dirname, '..'), path.resolve(__dirname, '..', '..')];
  return roots.flatMap((root) => [path.join(root, 'build', 'Release', `${name}.node`), path.join(root, 'build', 'Debug', `${name}.node`)]);
}

/** The first candidate that exists, if any. */
export function findAddon(name: string): string | undefined {
  return addonCandidates(name).find((file) => fs.existsSync(file));
}

const embedded = new Map<string, unknown>();

/** The single executable hands over the addons it loaded from its own assets (lib/sea/main.ts). */
export function provideAddon(name: string, exports: unknown): void {
  embedded.set(name, exports);
}

/** An addon the single executable provided; undefined when running from the built tree. */
export function embeddedAddon<T>(name: string): T | undefined {
  return embedded.get(name) as T | undefined;
}
