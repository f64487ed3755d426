/**
 * fanotify mask bits (linux/fanotify.h). The entry events share inotify's values (a FAN_CREATE is
 * an IN_CREATE), so the watch mask built from `<inotify>` (lib/events/rules.ts) carries over.
 */
export const FAN = {
  MODIFY: 0x2, ATTRIB: 0x4, CLOSE_WRITE: 0x8, MOVED_FROM: 0x40, MOVED_TO: 0x80, CREATE: 0x100, DELETE: 0x200,
  DELETE_SELF: 0x400, MOVE_SELF: 0x800, Q_OVERFLOW: 0x4000, RENAME: 0x10000000, ONDIR: 0x40000000,
} as const;

/**
 * The filesystem mark's mask for an inotify watch mask: its entry events, renames as one
 * FAN_RENAME (both places in one event, no cookie to pair), directories too. The root's own end
 * and mode come from the addon's mark on the root, so ATTRIB is asked filesystem-wide only when
 * `<attrib>` wants it.
 */
export function fanotifyMask(inotifyMask: number): number {
  const entries = FAN.MODIFY | FAN.ATTRIB | FAN.CLOSE_WRITE | FAN.CREATE | FAN.DELETE;
  return (inotifyMask & entries) | FAN.RENAME | FAN.ONDIR;
}
