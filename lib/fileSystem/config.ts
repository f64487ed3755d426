/** `<fileSystem xfs>`: on xfs the directory entry type is unreliable, so stat() decides what is a directory. */
import type { ElementView } from '../config/element';

export interface FileSystemConfig {
  readonly xfs: boolean;
}

export function parseFileSystem(view: ElementView | undefined): FileSystemConfig {
  if (!view) return { xfs: false };
  view.expect(['xfs']);
  return { xfs: view.bool('xfs') };
}
