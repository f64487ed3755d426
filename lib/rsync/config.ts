/** `<rsync>`: the pieces sersync2 splices into every rsync command line. */
import type { ElementView } from '../config/element';

export interface RsyncConfig {
  /** Inserted verbatim: operators put shell quoting here. */
  readonly commonParams: string;
  readonly auth: { readonly enabled: boolean; readonly users: string; readonly passwordFile: string };
  readonly userDefinedPort: { readonly enabled: boolean; readonly port: number };
  readonly timeout: { readonly enabled: boolean; readonly time: number };
  readonly ssh: boolean;
  /** Our extension `<batch start windowMs maxPaths parallel>`: a few rsyncs per remote for many events. */
  readonly batch: BatchConfig;
}

export interface BatchConfig {
  readonly enabled: boolean;
  /** How long events gather before a batch leaves. */
  readonly windowMs: number;
  /** Most events in one batch. */
  readonly maxPaths: number;
  /** Most rsyncs per remote that one big batch of changes is split among (never more than `-n`). */
  readonly parallel: number;
}

export const RSYNC_DEFAULTS: RsyncConfig = {
  commonParams: '-artuz',
  auth: { enabled: false, users: 'root', passwordFile: '/etc/rsync.pas' },
  userDefinedPort: { enabled: false, port: 874 },
  timeout: { enabled: false, time: 100 },
  ssh: false,
  batch: { enabled: false, windowMs: 3, maxPaths: 10_000, parallel: 2 },
};

const CHILDREN = ['commonParams', 'auth', 'userDefinedPort', 'timeout', 'ssh', 'batch'];

export function parseRsync(view: ElementView | undefined): RsyncConfig {
  if (!view) return RSYNC_DEFAULTS;
  view.expect([], CHILDREN);
  const d = RSYNC_DEFAULTS;

  const params = view.one('commonParams');
  params?.expect(['params']);

  const auth = view.one('auth');
  auth?.expect(['start', 'users', 'passwordfile']);

  // Numbers of a switched-off element are not used, so they are only checked when it is on.
  const port = view.one('userDefinedPort');
  port?.expect(['start', 'port']);
  const portOn = port?.bool('start') ?? false;

  const timeout = view.one('timeout');
  timeout?.expect(['start', 'time']);
  const timeoutOn = timeout?.bool('start') ?? false;

  const ssh = view.one('ssh');
  ssh?.expect(['start']);

  const batch = view.one('batch');
  batch?.expect(['start', 'windowMs', 'maxPaths', 'parallel']);

  return {
    commonParams: params ? params.string('params') : d.commonParams,
    auth: {
      enabled: auth?.bool('start') ?? false,
      users: auth ? auth.string('users') : d.auth.users,
      passwordFile: auth ? auth.string('passwordfile') : d.auth.passwordFile,
    },
    userDefinedPort: { enabled: portOn, port: portOn && port ? port.port('port', d.userDefinedPort.port) : Number(port?.string('port')) || d.userDefinedPort.port },
    timeout: { enabled: timeoutOn, time: timeoutOn && timeout ? timeout.positiveInt('time', d.timeout.time) : Number(timeout?.string('time')) || d.timeout.time },
    ssh: ssh?.bool('start') ?? false,
    batch: {
      enabled: batch?.bool('start') ?? false,
      windowMs: batch?.positiveInt('windowMs', d.batch.windowMs) ?? d.batch.windowMs,
      maxPaths: batch?.positiveInt('maxPaths', d.batch.maxPaths) ?? d.batch.maxPaths,
      parallel: batch?.positiveInt('parallel', d.batch.parallel) ?? d.batch.parallel,
    },
  };
}
