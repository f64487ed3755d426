/** Waiting for a mirror; the snapshots themselves are workload/tree.ts, shared with the bench. */
import { diffTrees, snapshot } from '../../workload/tree';
import { waitFor } from './wait';

export { diffTrees, listTree, snapshot, type Entry, type TreeDiff } from '../../workload/tree';

export interface MirrorWait {
  /** Local entries the daemon never mirrors (sersync2's rules), left out of the comparison. */
  readonly skip?: (name: Buffer, isDir: boolean) => boolean;
  readonly timeoutMs?: number;
  /** What to add to the error, e.g. the daemon's output. */
  readonly context?: () => string;
}

/** Waits until `remote` holds exactly what `local` holds; the error says what still differs. */
export async function waitForMirror(what: string, local: string, remote: () => string, o: MirrorWait = {}): Promise<void> {
  let last = '';
  try {
    await waitFor(what, () => {
      const diff = diffTrees(snapshot(local, o.skip), snapshot(remote()));
      last = JSON.stringify(diff);
      return diff.missing.length + diff.extra.length + diff.differing.length === 0;
    }, o.timeoutMs ?? 20_000, 50);
  } catch (error) {
    throw new Error(`${(error as Error).message}; differences: ${last}${o.context ? `\n${o.context()}` : ''}`);
  }
}
