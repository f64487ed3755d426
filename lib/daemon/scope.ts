/**
 * The daemon's resources as one lifecycle scope: each is registered with its closer as it is
 * opened, and close() runs the closers in reverse order, once. A start-up that fails half-way
 * therefore closes exactly what it had opened (inotify, timers, servers...), and nothing keeps the
 * process alive or running commands after it has reported its error.
 */
export type Closer = () => void | Promise<void>;

export class Scope {
  private readonly closers: Array<{ readonly name: string; readonly close: Closer }> = [];
  private closing: Promise<Error[]> | undefined;

  /** Registers `resource` with its closer and returns it, so it can be opened and registered in one expression. */
  add<T>(name: string, resource: T, close: (resource: T) => void | Promise<void>): T {
    this.defer(name, () => close(resource));
    return resource;
  }

  /** Registers a closer; one registered after close() has begun runs at once (a late resource is not leaked). */
  defer(name: string, close: Closer): void {
    if (this.closing) {
      // Nobody awaits it any more: its error can only be dropped.
      void this.closing.then(() => close()).catch(() => {});
      return;
    }
    this.closers.push({ name, close });
  }

  get closed(): boolean {
    return this.closing !== undefined;
  }

  /**
   * Runs every closer, the last registered first; a closer that throws does not stop the others.
   * Idempotent: later calls get the same result. Resolves to the errors, each naming its resource.
   */
  close(): Promise<Error[]> {
    this.closing ??= (async () => {
      const errors: Error[] = [];
      for (const { name, close } of this.closers.splice(0).reverse()) {
        try {
          await close();
        } catch (error) {
          errors.push(new Error(`closing ${name}: ${(error as Error).message}`));
        }
      }
      return errors;
    })();
    return this.closing;
  }
}
