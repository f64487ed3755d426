/** `<inotify>`: which kernel events sersync watches. */
import type { ElementView } from '../config/element';

export interface InotifyConfig {
  readonly delete: boolean;
  readonly createFolder: boolean;
  readonly createFile: boolean;
  readonly closeWrite: boolean;
  readonly moveFrom: boolean;
  readonly moveTo: boolean;
  readonly attrib: boolean;
  readonly modify: boolean;
}

/** The stock 2.5.4 settings; they also fill in a missing `<inotify>` or a missing child of it. */
export const INOTIFY_DEFAULTS: InotifyConfig = {
  delete: true, createFolder: true, createFile: false, closeWrite: true,
  moveFrom: true, moveTo: true, attrib: false, modify: false,
};

const SWITCHES = Object.keys(INOTIFY_DEFAULTS) as (keyof InotifyConfig)[];

export function parseInotify(view: ElementView | undefined): InotifyConfig {
  if (!view) return INOTIFY_DEFAULTS;
  view.expect([], SWITCHES);
  const result: Record<keyof InotifyConfig, boolean> = { ...INOTIFY_DEFAULTS };
  for (const name of SWITCHES) {
    const child = view.one(name);
    if (!child) continue;
    child.expect(['start']);
    result[name] = child.bool('start', INOTIFY_DEFAULTS[name]);
  }
  return result;
}
