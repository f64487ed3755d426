/** The `<localpath watch>` that the socket, http and refreshCDN plugin blocks carry for themselves. */
import type { ElementView } from '../config/element';
import { parseWatchPath } from '../localpath/config';

export function parsePluginLocalpath(plugin: ElementView, children: readonly string[]): { watch: string; localpath: ElementView | undefined } {
  plugin.expect(['name'], ['localpath']);
  const localpath = plugin.one('localpath');
  if (!localpath) {
    plugin.problem('MISSING_ELEMENT', 'missing <localpath watch="...">');
    return { watch: '', localpath: undefined };
  }
  localpath.expect(['watch'], children);
  return { watch: parseWatchPath(localpath) ?? '', localpath };
}
