/** inotify mask bits (linux/inotify.h). Kept here so pure code and tests need no native addon. */
export const IN = {
  ACCESS: 0x1, MODIFY: 0x2, ATTRIB: 0x4, CLOSE_WRITE: 0x8, CLOSE_NOWRITE: 0x10, OPEN: 0x20,
  MOVED_FROM: 0x40, MOVED_TO: 0x80, CREATE: 0x100, DELETE: 0x200, DELETE_SELF: 0x400, MOVE_SELF: 0x800,
  UNMOUNT: 0x2000, Q_OVERFLOW: 0x4000, IGNORED: 0x8000,
  ONLYDIR: 0x1000000, DONT_FOLLOW: 0x2000000, EXCL_UNLINK: 0x4000000, ISDIR: 0x40000000,
} as const;
