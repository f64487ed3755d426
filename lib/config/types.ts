/** The whole confxml.xml as one typed, immutable object. Each part is defined by its element's module. */
import type { CrontabConfig } from '../crontab/config';
import type { FailLogConfig } from '../failLog/config';
import type { FileSystemConfig } from '../fileSystem/config';
import type { FilterConfig } from '../filter/config';
import type { HostConfig } from '../host/config';
import type { InotifyConfig } from '../inotify/config';
import type { LocalpathConfig } from '../localpath/config';
import type { PluginBlocks, PluginSwitch } from '../plugin/config';
import type { RsyncConfig } from '../rsync/config';

export interface SersyncConfig {
  readonly localpath: LocalpathConfig;
  readonly rsync: RsyncConfig;
  readonly failLog: FailLogConfig;
  readonly crontab: CrontabConfig;
  readonly plugin: PluginSwitch;
}

export interface Config {
  /** Absolute path of the file this came from. */
  readonly file: string;
  readonly host: HostConfig;
  readonly debug: boolean;
  readonly fileSystem: FileSystemConfig;
  readonly filter: FilterConfig;
  readonly inotify: InotifyConfig;
  readonly sersync: SersyncConfig;
  readonly plugins: PluginBlocks;
}

export interface LoadedConfig {
  readonly config: Config;
  /** Things that work but deserve the operator's attention, printed at start and by --check. */
  readonly warnings: readonly string[];
}
