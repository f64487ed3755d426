/*
 * fanotify for Node.js, in the inotify addon (wrapped by lib/fanotify/binding.ts).
 *
 *   new FanotifyHandle(root, mask, unlimited, onEvents)
 *       fanotify_init(FAN_CLASS_NOTIF | FAN_REPORT_DFID_NAME), one filesystem mark with `mask` on
 *       root's filesystem, and an inode mark on root itself for its own end (DELETE_SELF,
 *       MOVE_SELF) and mode (ATTRIB). Throws a system error (code, syscall) when the kernel or
 *       the filesystem refuses: EPERM without CAP_SYS_ADMIN, ENODEV/EXDEV/EOPNOTSUPP where the
 *       filesystem cannot report handles. onEvents as InotifyHandle's, with records of
 *       native/fan_events.c.
 *   rootKey()      -> root's handle key, taken when the handle was made
 *   resolve(key)   -> Buffer: the directory's absolute path; or -errno (ESTALE once deleted)
 *   close(), failNextBatch(): as InotifyHandle's.
 *
 * Paths come from open_by_handle_at on a descriptor of the filesystem's top directory, then
 * readlink of /proc/self/fd. That descriptor is the mount's top, not root, so holding it never
 * keeps root's inode alive (DELETE_SELF comes when root goes).
 */
#define ADDON_NAME "inotify"
#define ADDON_NAPI_ERROR "ERR_INOTIFY_NAPI"
#include "napi_errors.h"
#include "fan_events.h"
#include "inotify_state.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <unistd.h>

#define ROOT_MASK (FAN_DELETE_SELF | FAN_MOVE_SELF | FAN_ATTRIB | FAN_ONDIR)
#define KEY_MAX (4 + MAX_HANDLE_SZ)

/* The topmost directory above root on root's filesystem (walking "..", stopping where st_dev changes). */
static int open_filesystem_top(const char *root) {
  int fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  struct stat here, up_stat;
  if (fd < 0 || fstat(fd, &here) != 0) {
    int err = errno;
    if (fd >= 0) close(fd);
    return -err;
  }
  for (;;) {
    int up = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
    bool same = up >= 0 && fstat(up, &up_stat) == 0 && up_stat.st_dev == here.st_dev && up_stat.st_ino != here.st_ino;
    if (!same) {
      if (up >= 0) close(up);
      /* open_by_handle_at takes no O_PATH descriptor */
      int top = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      int err = errno;
      close(fd);
      return top >= 0 ? top : -err;
    }
    close(fd);
    fd = up;
    here = up_stat;
  }
}

/* Marks, the root's key and the filesystem's top directory; 0 or the errno, *syscall naming the call. */
static int set_up(ino_state *state, uint32_t mask, const char **syscall) {
  const char *root = state->path;
  *syscall = "fanotify_mark";
  if (fanotify_mark(state->fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, mask & ~(FAN_DELETE_SELF | FAN_MOVE_SELF), AT_FDCWD, root) != 0) return errno;
  if (fanotify_mark(state->fd, FAN_MARK_ADD, ROOT_MASK, AT_FDCWD, root) != 0) return errno;
  *syscall = "name_to_handle_at";
  union {
    struct file_handle handle;
    char bytes[sizeof(struct file_handle) + MAX_HANDLE_SZ];
  } h;
  h.handle.handle_bytes = MAX_HANDLE_SZ;
  int mount_id;
  if (name_to_handle_at(AT_FDCWD, root, &h.handle, &mount_id, 0) != 0) return errno;
  state->root_key = malloc(4 + h.handle.handle_bytes);
  if (state->root_key == NULL) return ENOMEM;
  memcpy(state->root_key, &h.handle.handle_type, 4);
  memcpy(state->root_key + 4, h.handle.f_handle, h.handle.handle_bytes);
  state->root_key_length = 4 + h.handle.handle_bytes;
  *syscall = "open";
  int top = open_filesystem_top(root);
  if (top < 0) return -top;
  state->mount_fd = top;
  return 0;
}

static napi_value js_constructor(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4], self, new_target;
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  NAPI_CALL(env, napi_get_new_target(env, info, &new_target));
  if (new_target == NULL) {
    napi_throw_type_error(env, "ERR_CONSTRUCT_CALL_REQUIRED", "FanotifyHandle must be called with new");
    return NULL;
  }
  uint32_t mask = 0;
  bool unlimited = false;
  napi_valuetype type = napi_undefined;
  if (argc >= 4) NAPI_CALL(env, napi_typeof(env, argv[3], &type));
  if (type != napi_function || napi_get_value_uint32(env, argv[1], &mask) != napi_ok || napi_get_value_bool(env, argv[2], &unlimited) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "expected (root, mask, unlimited, onEvents)");
    return NULL;
  }
  unsigned flags = FAN_CLASS_NOTIF | FAN_REPORT_DFID_NAME | FAN_NONBLOCK | FAN_CLOEXEC | (unlimited ? FAN_UNLIMITED_QUEUE : 0);
  int fd = fanotify_init(flags, O_RDONLY | O_LARGEFILE | O_CLOEXEC);
  if (fd < 0) {
    throw_errno(env, errno, "fanotify_init", NULL);
    return NULL;
  }
  ino_state *state = ino_open(env, self, fd, true, argv[3], true, "FANOTIFY");
  if (state == NULL) return NULL;
  const char *syscall = "open";
  int err = ino_get_path(env, state, argv[0]) == 0 ? set_up(state, mask, &syscall) : EINVAL;
  if (err != 0) {
    ino_close_state(state);
    throw_errno(env, err, syscall, NULL);
    return NULL;
  }
  return self;
}

static napi_value js_root_key(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  napi_value result;
  ino_state *state = ino_unwrap(env, info, &argc, NULL);
  if (state == NULL) return NULL;
  NAPI_CALL(env, napi_create_string_latin1(env, state->root_key ? state->root_key : "", state->root_key_length, &result));
  return result;
}

/* The directory's path into `path` (PATH_MAX bytes); its length, or -errno. */
static ssize_t resolve_key(ino_state *state, const char *key, size_t length, char *path) {
  if (state->mount_fd < 0) return -EBADF;
  if (length < 4 || length > KEY_MAX) return -EINVAL;
  union {
    struct file_handle handle;
    char bytes[sizeof(struct file_handle) + MAX_HANDLE_SZ];
  } h;
  memcpy(&h.handle.handle_type, key, 4);
  h.handle.handle_bytes = (unsigned)(length - 4);
  memcpy(h.handle.f_handle, key + 4, length - 4);
  int fd = open_by_handle_at(state->mount_fd, &h.handle, O_PATH | O_CLOEXEC);
  if (fd < 0) return -errno;
  struct stat st;
  char link[32];
  ssize_t n;
  if (fstat(fd, &st) != 0) {
    n = -errno;
  } else if (st.st_nlink == 0) {
    n = -ESTALE; /* unlinked, its inode still cached */
  } else {
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    n = readlink(link, path, PATH_MAX);
    if (n < 0) n = -errno;
    else if (n >= PATH_MAX) n = -ENAMETOOLONG;
  }
  close(fd);
  return n;
}

static napi_value js_resolve(napi_env env, napi_callback_info info) {
  size_t argc = 1, length = 0;
  napi_value argv[1], result;
  ino_state *state = ino_unwrap(env, info, &argc, argv);
  if (state == NULL) return NULL;
  char key[KEY_MAX + 1];
  if (argc < 1 || napi_get_value_string_latin1(env, argv[0], key, sizeof key, &length) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "key must be a string");
    return NULL;
  }
  char *path = malloc(PATH_MAX);
  ssize_t n = path == NULL ? -ENOMEM : resolve_key(state, key, length, path);
  napi_status status = n >= 0 ? napi_create_buffer_copy(env, (size_t)n, path, NULL, &result) : napi_create_int32(env, (int32_t)n, &result);
  free(path);
  NAPI_CALL(env, status);
  return result;
}

napi_value fanotify_register(napi_env env, napi_value exports) {
  napi_property_descriptor methods[] = {
    {"rootKey", NULL, js_root_key, NULL, NULL, NULL, napi_default_method, NULL},
    {"resolve", NULL, js_resolve, NULL, NULL, NULL, napi_default_method, NULL},
  };
  return ino_define_class(env, exports, "FanotifyHandle", js_constructor, methods, sizeof methods / sizeof methods[0]) ? exports : NULL;
}
