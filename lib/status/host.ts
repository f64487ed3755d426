/**
 * The status file of a process that runs several configs: each config's snapshot under its name,
 * and the files that were refused. With one config the file is that config's StatusSnapshot.
 */
import type { StatusSnapshot } from './collector';

/** A config file that does not run, and why: its one-line error. */
export interface RefusedConfig {
  readonly name: string;
  readonly config: string;
  readonly error: string;
}

/** The process's fields, as a single config's file has them; then each config's, and the refused files. */
export interface HostSnapshot extends Pick<StatusSnapshot, 'format' | 'program' | 'version' | 'pid' | 'startedAt' | 'writtenAt' | 'intervalSeconds'> {
  readonly instances: ReadonlyArray<StatusSnapshot & { readonly name: string }>;
  readonly refused: readonly RefusedConfig[];
}

export type StatusFile = StatusSnapshot | HostSnapshot;

export function isHostSnapshot(file: StatusFile): file is HostSnapshot {
  return 'instances' in file;
}
