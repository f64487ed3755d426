/**
 * The configs one process runs, each an Instance of its own, and the SIGHUP reload: the files
 * (or the directory) are read again; an added file starts, a removed one stops (its queued work
 * goes to its fail log), a changed one is restarted once its new text is valid, and an unchanged
 * one is not touched. As nginx: a change that does not parse leaves the running config as it is.
 * With one config (the classic `-o FILE`), its errors at start stop the process, as ever; with
 * several, a file that cannot run is refused with its error and the others run.
 */
import path from 'node:path';
import type { ConfigDirListing, UnusableConfig } from '../cli/configDir';
import { ConfigError } from '../config/errors';
import { parseConfig, readConfigFile } from '../config/load';
import type { LoadedConfig } from '../config/types';
import { instanceLogger, type Logger } from '../log/logger';
import { StartError } from '../startError';
import { describeName, type PathName } from '../paths';
import { operatorMessage } from './errors';
import { type ConfigSource, Instance } from './instance';
import { instanceNames } from './instanceName';
import type { ProcessConfigs } from './context';
import type { ProcessShare } from './parts';
import { Scope } from './scope';

/** A config file read and parsed, ready to start. */
interface Readable {
  readonly source: ConfigSource;
  readonly loaded: LoadedConfig;
}

/** What start-up starts: the single config, read; or the several files, read as they start (and those that cannot be). */
export type StartPlan = { readonly single: Readable } | ConfigDirListing;

export class Instances implements ProcessConfigs {
  private readonly running = new Map<string, Instance>();
  private reloading: Promise<void> = Promise.resolve();
  /** Start-up, until it is done (then undefined). */
  private starting: Promise<void> | undefined;
  private closing: Promise<Error[]> | undefined;
  private closed = false;

  constructor(
    private readonly share: ProcessShare,
    private readonly log: Logger,
    /** The config files as of now: the `-o` files, or the `--config-dir` listing (it may throw a StartError). */
    private readonly files: () => ConfigDirListing,
    /** Several configs: each logs under its name and one that cannot run does not stop the others. */
    private readonly several: boolean,
    /** Each config's scope (a test counts its steps). */
    private readonly newScope: () => Scope = () => new Scope(),
  ) {}

  /** The running config of `file`. */
  get(file: string): Instance | undefined {
    return this.running.get(file);
  }

  /**
   * The files to start. A single config is read and parsed now, and its error thrown (the classic
   * start: its errors before anything else); several are read by startAll(), each as it starts.
   */
  readAll(): StartPlan {
    const listing = this.files();
    if (this.several) return listing;
    const file = listing.files[0]!;
    const next = this.read(file, instanceNames(listing.files).get(file)!);
    if ('error' in next) throw next.thrown;
    return { single: next };
  }

  /**
   * Starts the configs; with several, a file with errors is refused and left out, and this throws
   * only when none of them can run. Each file is read once the one before it has started its walk:
   * the walks' syscalls run on libuv's threads while the next file is parsed.
   */
  startAll(plan: StartPlan): Promise<void> {
    const started = this.startNow(plan);
    // A SIGHUP during start-up is taken once it is done: the files not started yet would be started twice.
    const starting = started
      .catch(() => {})
      .then(() => {
        this.starting = undefined;
      });
    this.starting = starting;
    this.reloading = this.reloading.then(() => starting);
    return started;
  }

  private async startNow(plan: StartPlan): Promise<void> {
    if ('single' in plan) return this.launch(plan.single.source, plan.single.loaded);
    const names = instanceNames(plan.files);
    this.refuseUnusable(plan.unusable);
    const started: Promise<void>[] = [];
    for (const file of plan.files) {
      if (this.closed) break;
      const next = this.read(file, names.get(file)!);
      if ('error' in next) this.refuse(file, next.name, next.error);
      else started.push(this.launch(next.source, next.loaded));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await Promise.all(started);
    if (this.running.size === 0 && !this.closed) throw new StartError('NO_CONFIG', `none of the ${plan.files.length + plan.unusable.length} config files can run`);
  }

  /** The SIGHUP line of each, in its own log. */
  report(): void {
    for (const instance of this.running.values()) instance.log.info(instance.infoLine());
  }

  get inFlight(): number {
    let sum = 0;
    for (const instance of this.running.values()) sum += instance.context?.pool.inFlight ?? 0;
    return sum;
  }

  /** SIGHUP: one reload at a time, in the order asked, and none before start-up is done. */
  reload(): Promise<void> {
    if (this.starting) this.log.info('SIGHUP during start-up: the config files are read again once every config has started');
    this.reloading = this.reloading.then(() => this.reloadNow());
    return this.reloading;
  }

  /** The graceful stop of every config, side by side; idempotent. */
  closeAll(): Promise<Error[]> {
    this.closed = true;
    this.closing ??= Promise.all([...this.running.values()].map((i) => i.close())).then((errors) => errors.flat());
    return this.closing;
  }

  /**
   * A second stop signal: every config stops now, what runs goes to its fail log. The stop's wait
   * for closeAll is cut short too, so the process awaits this in its record phase: what each config
   * writes to its fail log is written before the process ends.
   */
  leaveAll(): Promise<Error[]> {
    for (const instance of this.running.values()) void instance.leaveNow();
    return this.closeAll();
  }

  /** The process leaves without a stop signal's bookkeeping (a start-up abandoned): nothing more is waited for. */
  hurryAll(): Promise<Error[]> {
    for (const instance of this.running.values()) void instance.hurry();
    return this.closeAll();
  }

  private async reloadNow(): Promise<void> {
    if (this.closed) return;
    let files: readonly string[];
    let unusable: readonly UnusableConfig[];
    try {
      ({ files, unusable } = this.files());
    } catch (error) {
      this.log.error(`SIGHUP: ${oneLine(error)}; nothing reloaded`);
      return;
    }
    const names = instanceNames(files);
    const counts = { added: 0, removed: 0, restarted: 0, unchanged: 0, refused: unusable.length };
    // A file deleted since must not stay "refused" in the status file (and --status WARNING).
    this.share.status.forgetRefused();
    this.refuseUnusable(unusable);
    const work: Promise<void>[] = [];
    for (const [file, instance] of this.running) {
      if (files.includes(file) || unusable.some((u) => u.file === file)) continue;
      counts.removed++;
      instance.log.info(`${describeName(file)} is no longer configured: stopping (what is queued goes to its fail log)`);
      work.push(this.stop(instance));
    }
    for (const file of files) {
      const instance = this.running.get(file);
      const next = this.read(file, instance?.source.name ?? names.get(file)!);
      if ('error' in next) {
        counts.refused++;
        if (instance) keptRunning(instance, file, next.error);
        else this.refuse(file, next.name, next.error);
        continue;
      }
      if (instance?.source.bytes.equals(next.source.bytes)) {
        counts.unchanged++;
        continue;
      }
      if (instance) {
        counts.restarted++;
        instance.log.info(`${describeName(file)} changed: restarting this config`);
      } else counts.added++;
      work.push((instance ? this.stop(instance) : Promise.resolve()).then(() => this.launch(next.source, next.loaded)));
    }
    await Promise.all(work);
    this.log.info(`SIGHUP: config files read again: ${counts.added} added, ${counts.removed} removed, ${counts.restarted} restarted, ${counts.unchanged} unchanged, ${counts.refused} not usable`);
  }

  /** The file read and parsed, or its one-line error (and what was thrown, for a single config). */
  private read(file: string, name: string): Readable | { name: string; error: string; thrown: unknown } {
    try {
      const bytes = readConfigFile(file);
      const loaded = parseConfig(bytes, path.resolve(file), file, { checkDirectories: true, standalonePlugin: this.share.options.plugin });
      return { source: { file, name, bytes }, loaded };
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return { name, error: oneLine(error), thrown: error };
    }
  }

  private async launch(source: ConfigSource, loaded: LoadedConfig): Promise<void> {
    if (this.closed) return;
    const instance = new Instance(source, loaded, this.share, this.logOf(source.name), this.newScope());
    if (!this.share.options.plugin) this.warnSharedFailLog(instance, loaded.config.sersync.failLog.path);
    this.running.set(source.file, instance);
    try {
      await instance.start();
    } catch (error) {
      this.running.delete(source.file);
      this.share.status.remove(instance.status);
      if (!this.several) throw error;
      const message = operatorMessage(error);
      this.refuse(source.file, source.name, message === undefined ? `internal error: ${(error as Error).stack}` : oneLine(message));
    }
  }

  /** Two configs of one fail log take turns running it (failLog/file.ts), but each one's run runs the other's commands too. */
  private warnSharedFailLog(instance: Instance, file: string): void {
    const other = [...this.running.values()].find((o) => o.failLogKey === instance.failLogKey);
    if (other) instance.log.warn(`its fail log ${describeName(file)} is also [${other.source.name}]'s: each one's fail-log run runs the other's commands too, and waits out the other's remote; give each config its own <failLog path>`);
  }

  private async stop(instance: Instance): Promise<void> {
    this.running.delete(instance.source.file);
    for (const error of await instance.close()) instance.log.warn(error.message);
    this.share.status.remove(instance.status);
  }

  private logOf(name: string): Logger {
    return this.several ? instanceLogger(name) : this.log;
  }

  /** `file` is a path of bytes only when its name is not UTF-8 (configDir.ts): the status file gets it as messages show it. */
  private refuse(file: PathName, name: string, error: string): void {
    this.logOf(name).error(`${describeName(file)} is not running: ${error}`);
    this.share.status.refused({ name, config: typeof file === 'string' ? file : describeName(file), error });
  }

  /**
   * The --config-dir entries that cannot be run at all (configDir.ts) are refused; one that runs
   * already (its file turned into a dangling symlink, say) keeps running, as a change that does
   * not parse does.
   */
  private refuseUnusable(unusable: readonly UnusableConfig[]): void {
    for (const u of unusable) {
      const running = typeof u.file === 'string' ? this.running.get(u.file) : undefined;
      if (running) keptRunning(running, u.file, u.error);
      else this.refuse(u.file, u.name, u.error);
    }
  }
}

/** An operator message on one line: its lines joined, without the program's name. */
function oneLine(error: unknown): string {
  const text = typeof error === 'string' ? error : (error as Error).message;
  return text.trim().replace(/^sersync2: /, '').split('\n').join('; ');
}

/** A running config whose file changed into one that cannot be used: it goes on as it was. */
function keptRunning(instance: Instance, file: PathName, error: string): void {
  instance.log.error(`${describeName(file)} changed but cannot be used, so this config keeps running as it was: ${error}`);
}
