/** The one small interface every mirroring tool under test implements. */
import type { Cleanup } from '../cleanup';
import type { Workspace } from '../workspace';

export type ToolId = 'compat' | 'batch' | 'lsyncd' | 'loop' | 'sersync2' | 'fanotify';

/**
 * Column order in every table; the reference after ours and the others, so they keep their chart
 * colours; ours on fanotify last, in the scale scenario only (where bin/sersync2 has --watcher).
 */
export const TOOL_IDS: readonly ToolId[] = ['compat', 'batch', 'lsyncd', 'loop', 'sersync2', 'fanotify'];

export const TOOL_LABELS: Record<ToolId, string> = {
  compat: 'ours compat',
  batch: 'ours batch',
  lsyncd: 'lsyncd',
  loop: 'inotifywait loop',
  sersync2: 'sersync2 2.5.4',
  fanotify: 'ours fanotify',
};

/** Ours' status file, as far as the bench reads it (fields may be missing in older builds). */
export interface OurStatus {
  readonly remotes?: ReadonlyArray<{ readonly successes?: number; readonly failures?: number; readonly ok?: number; readonly failed?: number }>;
  readonly eventToSpawnMs?: { readonly count: number; readonly p50: number; readonly p95: number; readonly max: number } | null;
}

export interface RunningTool {
  readonly id: ToolId;
  /** The process to measure (its tree, see proc.ts). */
  readonly pid: number;
  /** Ms from spawn until every watch is in place, by the tool's own marker. */
  watching(deadlineMs: number): Promise<number>;
  /** Ms from spawn until the tool mirrors changes: after watching, and for lsyncd its initial full rsync. */
  ready(deadlineMs: number): Promise<number>;
  /** Ours only: a fresh status file, written on SIGUSR1. */
  status?(deadlineMs: number): Promise<OurStatus | undefined>;
  stop(): Promise<void>;
  /** The last output, for error messages. */
  tail(): string;
  /** Undefined while the tool runs; how it ended once it exited. */
  exited(): string | undefined;
}

export interface StartOptions {
  /** Ours: keep a status file (not in the idle scenario, where its timer would cost CPU lsyncd does not spend). */
  readonly statusFile: boolean;
}

export interface Tool {
  readonly id: ToolId;
  /** What "watching" means for this tool, for the notes under the table. */
  readonly watchMarker: string;
  start(cleanup: Cleanup, ws: Workspace, options: StartOptions): RunningTool;
}
