/**
 * fanotify on our own N-API addon (native/fanotify.c, in the inotify addon): one filesystem mark on the filesystem of a
 * root, events reported with their directory's file handle and the entry's name
 * (FAN_REPORT_DFID_NAME), so no directory needs a mark of its own. What the watcher
 * (lib/fanotify/watcher.ts) uses:
 * - events come in batches, one call per readable wake-up, in kernel order; FAN_Q_OVERFLOW has no
 *   directory. A directory is a handle key (its handle's type and bytes, one latin1 char per byte);
 *   FAN_RENAME carries the old place (dir, name) and the new one (dir2, name2).
 * - `resolve(key)` gives a directory's absolute path (exact bytes), or the errno name when it is
 *   gone (ESTALE) or cannot be opened.
 * - Events whose objects could not be built come as one FAN_Q_OVERFLOW: never a silent loss.
 * The addon is loaded on first use, so importing this module never fails by itself.
 */
import { embeddedAddon, findAddon } from '../addon';
import { errnoName } from '../errno';

/** One kernel event. */
export interface FanotifyEvent {
  readonly mask: number;
  /** The directory's handle key; absent for FAN_Q_OVERFLOW. */
  readonly dir?: string;
  /** The entry's name (UTF-8, lossy where `nameBytes` is given); '.' for an event on `dir` itself. */
  readonly name?: string;
  /** The exact bytes of a name that is not valid UTF-8. */
  readonly nameBytes?: Buffer;
  /** FAN_RENAME: the new directory, name and bytes. */
  readonly dir2?: string;
  readonly name2?: string;
  readonly name2Bytes?: Buffer;
}

export interface FanotifyOptions {
  readonly root: string;
  /** The filesystem mark's mask (FAN bits: lib/fanotify/mask.ts). */
  readonly mask: number;
  readonly onBatch: (events: readonly FanotifyEvent[]) => void;
  /** A read error on the descriptor; no more events are read after it. */
  readonly onError: (error: Error) => void;
}

/** fanotify cannot be had for this root: `code` is the errno name (EPERM without CAP_SYS_ADMIN; ENODEV, EXDEV, EOPNOTSUPP where the filesystem refuses) or ENOSYS for no addon. */
export class FanotifyError extends Error {
  constructor(
    readonly code: string,
    readonly syscall: string,
  ) {
    super(`${syscall}: ${code}`);
    this.name = 'FanotifyError';
  }
}

type NativeCallback = (events: FanotifyEvent[], errno: number) => void;

interface NativeHandle {
  rootKey(): string;
  failNextBatch?(): void;
  resolve(key: string): Buffer | number;
  close(): void;
}

interface NativeModule {
  readonly FanotifyHandle: new (root: string, mask: number, unlimited: boolean, onEvents: NativeCallback) => NativeHandle;
}

let loaded: NativeModule | undefined;

function addon(): NativeModule {
  loaded ??= embeddedAddon<NativeModule>('inotify');
  if (loaded) return loaded;
  const found = findAddon('inotify');
  if (!found) throw new FanotifyError('ENOSYS', 'the inotify addon is not built');
  loaded = require(found) as NativeModule;
  return loaded;
}

export class Fanotify {
  private readonly handle: NativeHandle;
  private closed = false;
  /** The root directory's handle key. */
  readonly rootKey: string;

  /** Throws a FanotifyError when fanotify cannot watch `root`'s filesystem. */
  constructor(private readonly options: FanotifyOptions) {
    try {
      this.handle = new (addon().FanotifyHandle)(options.root, options.mask, false, this.dispatch);
    } catch (error) {
      const { code, syscall } = error as { code?: unknown; syscall?: unknown };
      if (typeof code === 'string' && typeof syscall === 'string') throw new FanotifyError(code, syscall);
      throw error;
    }
    this.rootKey = this.handle.rootKey();
  }

  /** The directory's absolute path as bytes, or why not (ESTALE: deleted). */
  resolve(key: string): Buffer | string {
    if (this.closed) return 'EBADF';
    const path = this.handle.resolve(key);
    return typeof path === 'number' ? errnoName(-path) : path;
  }

  /** Test hook (SERSYNC2_INOTIFY_TEST_HOOKS=1 before the addon loads): the next read's events fail to become objects. */
  failNextBatch(): void {
    if (!this.handle.failNextBatch) throw new FanotifyError('ENOSYS', 'failNextBatch without SERSYNC2_INOTIFY_TEST_HOOKS=1');
    this.handle.failNextBatch();
  }

  /** Idempotent; allowed inside onBatch. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.handle.close();
  }

  private readonly dispatch = (events: FanotifyEvent[], errno: number): void => {
    try {
      if (events.length > 0 && !this.closed) this.options.onBatch(events);
    } finally {
      if (errno !== 0 && !this.closed) this.options.onError(new FanotifyError(errnoName(-errno), 'read'));
    }
  };
}
