/**
 * What the operator must fix (an exit whose action is `fix`: a refused password, a missing module,
 * a protocol mismatch, no rsync to run), said once per remote and cause as such, not once per
 * retry. Retries go on meanwhile (sersync2's rule); once a retry to the remote succeeds, the
 * cause is forgotten, so it is said again if it comes back.
 */
import { escapeControls } from '../paths';
import { type CommandResult, describeResult } from '../runner/result';

export class OperatorNotices {
  /** `remote\0cause` of each cause already said. */
  private readonly said = new Set<string>();

  constructor(private readonly error: (message: string) => void) {}

  /** Told every failed result: the first of a cause the operator must fix is logged. */
  failed(result: CommandResult): void {
    if (result.action !== 'fix') return;
    const cause = describeResult(result);
    const key = `${result.remote ?? ''}\0${cause}`;
    if (this.said.has(key)) return;
    this.said.add(key);
    const where = result.remote ? `remote ${result.remote}` : 'a command';
    this.error(`${where}: ${cause}: the operator must fix this; retries go on, and this is said once until the remote answers again: ${escapeControls(result.text)}`);
  }

  /** A command to the remote succeeded: what was wrong there is fixed. */
  succeeded(result: CommandResult): void {
    const prefix = `${result.remote ?? ''}\0`;
    for (const key of this.said) if (key.startsWith(prefix)) this.said.delete(key);
  }
}
