/** `<localpath watch>` with its `<remote ip name>` children: what is mirrored, and where to. */
import path from 'node:path';
import type { ElementView } from '../config/element';

export interface Remote {
  /** Host name or address of the rsync daemon (or ssh host). */
  readonly ip: string;
  /** rsync module, or a remote path when `<ssh start="true">`. */
  readonly name: string;
}

export interface LocalpathConfig {
  /** Absolute, without a trailing slash (sersync2 drops it). */
  readonly watch: string;
  readonly remotes: readonly Remote[];
}

/** Reads and normalises a `watch` attribute; shared with the plugins' own `<localpath>`. */
export function parseWatchPath(view: ElementView): string | undefined {
  const watch = view.required('watch');
  if (watch === undefined) return undefined;
  if (watch === '') {
    view.problem('BAD_PATH', 'watch must not be empty', 'watch');
    return undefined;
  }
  if (!path.isAbsolute(watch)) {
    view.problem('BAD_PATH', 'watch must be an absolute path', 'watch');
    return undefined;
  }
  return stripTrailingSlashes(watch);
}

function stripTrailingSlashes(dir: string): string {
  const stripped = dir.replace(/\/+$/, '');
  return stripped === '' ? '/' : stripped;
}

/**
 * sersync2 watches the first `<localpath>` of the first `<sersync>` and nothing else: a file with
 * more was mirroring less than it says, so the others are an error that says which directories
 * were never mirrored and how to split the file.
 */
export function checkOneWatch(sersyncBlocks: readonly ElementView[]): void {
  const all = sersyncBlocks.flatMap((block) => block.all('localpath'));
  const first = all[0];
  const extraBlock = sersyncBlocks[1];
  const extra = all.slice(1);
  if (!first || (extra.length === 0 && !extraBlock)) return;
  const dirs = extra.map((v) => `${v.string('watch') || '(no watch)'} (line ${v.line})`);
  const never = dirs.length === 0 ? 'its other blocks were never used' : `${dirs.join(', ')} ${dirs.length === 1 ? 'was' : 'were'} never mirrored`;
  const split = 'split the file, one per directory, and run each with its own sersync2 -o FILE (or sersync2@NAME unit)';
  const at = extraBlock && (extra.length === 0 || extraBlock.line < extra[0]!.line) ? extraBlock : extra[0]!;
  const what = at === extraBlock ? `the first <sersync> block (line ${sersyncBlocks[0]!.line})` : 'the first <localpath>';
  at.problem('DUPLICATE_ELEMENT', `sersync2 reads only ${what} and watches only ${first.string('watch')} (line ${first.line}), so ${never}: ${split}`);
}

/** `pluginAlone`: `-m PLUGIN`, which runs without rsync and so needs no remote. */
export function parseLocalpath(sersync: ElementView, pluginAlone = false): LocalpathConfig | undefined {
  const view = sersync.all('localpath')[0];
  if (!view) {
    sersync.problem('MISSING_ELEMENT', 'missing <localpath watch="..."> with at least one <remote>');
    return undefined;
  }
  view.expect(['watch'], ['remote']);
  const watch = parseWatchPath(view);
  const remotes: Remote[] = [];
  for (const remote of view.all('remote')) {
    remote.expect(['ip', 'name']);
    const ip = remote.string('ip');
    const name = remote.string('name');
    if (ip === '') remote.problem('NO_REMOTE', 'a remote needs a non-empty ip', remote.has('ip') ? 'ip' : undefined);
    if (name === '') remote.problem('NO_REMOTE', 'a remote needs a non-empty name (the rsync module)', remote.has('name') ? 'name' : undefined);
    // `{target_host}`, `{{ host }}`, `$IP`: a template whose entrypoint or sed never ran.
    for (const [attr, value] of [['ip', ip], ['name', name]] as const) {
      if (/[{}$]/.test(value)) remote.problem('BAD_VALUE', `${attr} "${value}" is a template placeholder that was never filled in (sersync2 runs rsync with it and fails every time)`, attr);
    }
    if (ip !== '' && name !== '') remotes.push({ ip, name });
  }
  if (view.all('remote').length === 0 && !pluginAlone) {
    // A plugin switched on with nowhere to sync to: the file was written for `sersync2 -m`.
    const plugin = sersync.all('plugin')[0];
    const alone = plugin?.string('start') === 'true' && plugin.string('name') ? `; to run plugin ${plugin.string('name')} alone, without rsync, start sersync2 with -m ${plugin.string('name')}` : '';
    view.problem('NO_REMOTE', `no <remote ip="..." name="..."/> to sync to${alone}`);
  }
  return watch === undefined ? undefined : { watch, remotes };
}
