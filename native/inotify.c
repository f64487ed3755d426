/*
 * inotify for Node.js: plain C on Node-API (NAPI_VERSION 8) and libuv, Linux only.
 *
 * JavaScript class InotifyHandle (wrapped by lib/inotify/binding.ts):
 *   new InotifyHandle(onEvents, persistent)
 *       inotify_init1(IN_NONBLOCK | IN_CLOEXEC) and a uv_poll_t on the descriptor.
 *       onEvents(events, errno) is called once per readable wake-up with every event read until
 *       EAGAIN (an array of {wd, mask, cookie[, name, nameBytes]}); errno is 0, or the
 *       negative errno of a read (or poll) error, after which the handle stops reading.
 *   addWatches(paths, mask)  -> Int32Array of wd or -errno   (one native call for all paths;
 *                            a path is a string or a Buffer)
 *   removeWatch(wd)          -> 0, or -errno
 *   subdirectories(path, statEach) -> Buffer of the names of path's subdirectories, each ended
 *                            by a NUL, unsorted; or -errno. Types come from the directory entry
 *                            (fstatat when it has none, or always with statEach: XFS's rule).
 *                            Files never reach JavaScript. A directory whose link count says it
 *                            has no subdirectory (2, on a file system known to keep that count)
 *                            is not read at all: most directories of a big tree are leaves, and
 *                            one stat costs a fraction of open + getdents + close. The caller
 *                            adds the watch first, so a subdirectory made after the stat is
 *                            reported by the kernel.
 *   close()                  idempotent, allowed inside onEvents
 * Module exports: InotifyHandle, and largeFiles (native/sizes.c: batch mode's large-file test).
 *
 * Lifetimes. ino_state belongs to the JS object (napi_wrap) and is freed by its finalizer, which
 * closes the descriptor first if close() was never called. The uv_poll_t lives in a separate
 * ino_poll allocation that libuv owns from uv_close() until its close callback frees it, so the
 * JS object may be collected while libuv still holds the handle. While open and persistent, the
 * JS object and the callback are held by strong napi references (like an active socket, a watching
 * instance is not collected); close() turns them weak, and a non-persistent instance holds them
 * weakly from the start. An async cleanup hook closes
 * the handle when the environment (a worker, or the process) is torn down.
 */
#define ADDON_NAME "inotify"
#define ADDON_NAPI_ERROR "ERR_INOTIFY_NAPI"
#include "napi_errors.h"
#include "sizes.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

/* Bytes per read(2). One wake-up reads until EAGAIN, but at most MAX_READS_PER_WAKEUP times so a
 * flood cannot starve the loop; uv_poll is level-triggered, so the rest comes on the next turn. */
#define READ_BUFFER_SIZE (64 * 1024)
#define MAX_READS_PER_WAKEUP 256

typedef struct ino_state ino_state;

typedef struct {
  uv_poll_t poll; /* first member: the uv handle pointer is the ino_poll pointer */
  napi_async_cleanup_hook_handle cleanup_hook; /* NULL when not registered */
  ino_state *state; /* NULL once the state has let go of the handle */
} ino_poll;

struct ino_state {
  napi_env env;
  int fd; /* -1 once closed */
  bool closed;
  bool strong; /* self and callback are strong references (open and persistent) */
  ino_poll *poll; /* NULL once handed to uv_close */
  napi_ref self; /* the JS object */
  napi_ref callback; /* onEvents; NULL once closed */
  napi_async_context async_context;
  char *buffer; /* READ_BUFFER_SIZE bytes, aligned for struct inotify_event */
  char *path; /* scratch buffer for NUL-terminated paths */
  size_t path_capacity;
};

/* ---- helpers ------------------------------------------------------------------------------- */

/* ---- closing ------------------------------------------------------------------------------- */

static void on_poll_closed(uv_handle_t *handle) {
  ino_poll *poll = (ino_poll *)handle;
  if (poll->cleanup_hook != NULL) napi_remove_async_cleanup_hook(poll->cleanup_hook);
  free(poll);
}

/* Stops reading and closes the descriptor. Touches no JS value: also used by the cleanup hook. */
static void close_native(ino_state *state) {
  state->closed = true;
  if (state->poll != NULL) {
    ino_poll *poll = state->poll;
    state->poll = NULL;
    poll->state = NULL;
    uv_poll_stop(&poll->poll); /* removes the fd from epoll before it is closed */
    uv_close((uv_handle_t *)&poll->poll, on_poll_closed);
  }
  if (state->fd >= 0) {
    close(state->fd);
    state->fd = -1;
  }
}

/* Environment teardown (worker exit, process exit): close so the loop can be closed. */
static void on_env_cleanup(napi_async_cleanup_hook_handle hook, void *data) {
  (void)hook;
  ino_poll *poll = data;
  /* on_poll_closed removes the hook; if a close is already under way, it will. */
  if (poll->state != NULL) close_native(poll->state);
}

/* Sets the strength of the references to the JS object and the callback. */
static void set_strong(ino_state *state, bool strong) {
  if (state->strong == strong) return;
  state->strong = strong;
  uint32_t count;
  if (state->self != NULL) {
    if (strong) napi_reference_ref(state->env, state->self, &count);
    else napi_reference_unref(state->env, state->self, &count);
  }
  if (state->callback != NULL) {
    if (strong) napi_reference_ref(state->env, state->callback, &count);
    else napi_reference_unref(state->env, state->callback, &count);
  }
}

/* close() from JavaScript: idempotent. */
static void close_state(ino_state *state) {
  close_native(state);
  set_strong(state, false);
  if (state->callback != NULL) {
    napi_delete_reference(state->env, state->callback);
    state->callback = NULL;
  }
}

static void finalize_state(napi_env env, void *data, void *hint) {
  (void)hint;
  ino_state *state = data;
  close_native(state);
  if (state->callback != NULL) napi_delete_reference(env, state->callback);
  if (state->self != NULL) napi_delete_reference(env, state->self);
  if (state->async_context != NULL) napi_async_destroy(env, state->async_context);
  free(state->buffer);
  free(state->path);
  free(state);
}

/* ---- reading ------------------------------------------------------------------------------- */

enum { KEY_WD, KEY_MASK, KEY_COOKIE, KEY_NAME, KEY_NAME_BYTES, KEY_COUNT };
static const char *const key_names[KEY_COUNT] = {"wd", "mask", "cookie", "name", "nameBytes"};

/* Appends the events of one read to `array`. Returns false when a N-API call failed. */
/* Well-formed UTF-8 (Unicode's table 3-7: no overlong forms, no surrogates, nothing past
 * U+10FFFF), exactly what a fatal TextDecoder accepts. */
static bool is_utf8(const unsigned char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF; /* the range of the second byte */
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c == 0xE0) len = 3, lo = 0xA0;
    else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) len = 3;
    else if (c == 0xED) len = 3, hi = 0x9F;
    else if (c == 0xF0) len = 4, lo = 0x90;
    else if (c >= 0xF1 && c <= 0xF3) len = 4;
    else if (c == 0xF4) len = 4, hi = 0x8F;
    else return false;
    if (n - i < len || s[i + 1] < lo || s[i + 1] > hi) return false;
    for (size_t k = 2; k < len; k++)
      if (s[i + k] < 0x80 || s[i + k] > 0xBF) return false;
    i += len;
  }
  return true;
}

static bool push_events(napi_env env, const char *bytes, size_t length, napi_value keys[KEY_COUNT], napi_value array, uint32_t *count) {
  size_t offset = 0;
  while (offset + sizeof(struct inotify_event) <= length) {
    const struct inotify_event *event = (const struct inotify_event *)(bytes + offset);
    size_t record = sizeof(struct inotify_event) + event->len;
    if (offset + record > length) break; /* the kernel never splits a record */
    offset += record;
    size_t name_length = event->len > 0 ? strnlen(event->name, event->len) : 0;

    /* nameBytes only where `name` cannot carry the bytes: one Buffer per event costs more than
     * the rest of the event together. */
    bool raw = name_length > 0 && !is_utf8((const unsigned char *)event->name, name_length);
    napi_property_descriptor props[KEY_COUNT];
    memset(props, 0, sizeof props);
    size_t n = name_length == 0 ? KEY_NAME : raw ? KEY_COUNT : KEY_NAME_BYTES;
    for (size_t i = 0; i < n; i++) {
      props[i].name = keys[i];
      props[i].attributes = napi_default_jsproperty;
    }
    napi_value object;
    if (napi_create_int32(env, event->wd, &props[KEY_WD].value) != napi_ok) return false;
    if (napi_create_uint32(env, event->mask, &props[KEY_MASK].value) != napi_ok) return false;
    if (napi_create_uint32(env, event->cookie, &props[KEY_COOKIE].value) != napi_ok) return false;
    if (name_length > 0) {
      /* Invalid UTF-8 becomes U+FFFD in `name`; then `nameBytes` keeps the exact bytes. */
      if (napi_create_string_utf8(env, event->name, name_length, &props[KEY_NAME].value) != napi_ok) return false;
      if (raw && napi_create_buffer_copy(env, name_length, event->name, NULL, &props[KEY_NAME_BYTES].value) != napi_ok) return false;
    }
    if (napi_create_object(env, &object) != napi_ok) return false;
    if (napi_define_properties(env, object, n, props) != napi_ok) return false;
    if (napi_set_element(env, array, (*count)++, object) != napi_ok) return false;
  }
  return true;
}

static void on_readable(uv_poll_t *handle, int status, int events) {
  (void)events;
  ino_state *state = ((ino_poll *)handle)->state;
  if (state == NULL || state->closed) return;
  napi_env env = state->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;

  napi_value keys[KEY_COUNT], array;
  uint32_t count = 0;
  int error = 0;
  bool ok = napi_create_array(env, &array) == napi_ok;
  for (int i = 0; ok && i < KEY_COUNT; i++) ok = napi_create_string_utf8(env, key_names[i], NAPI_AUTO_LENGTH, &keys[i]) == napi_ok;

  if (status < 0) {
    error = -status; /* libuv errors are negated errno values on Unix */
  } else {
    for (int reads = 0; ok && reads < MAX_READS_PER_WAKEUP;) {
      ssize_t n = read(state->fd, state->buffer, READ_BUFFER_SIZE);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) error = errno;
        break;
      }
      if (n == 0) break;
      reads++;
      ok = push_events(env, state->buffer, (size_t)n, keys, array, &count);
    }
  }
  if (error != 0 && state->poll != NULL) {
    /* A persistent error would wake the loop forever: stop reading, report it once. */
    uv_poll_stop(&state->poll->poll);
  }

  napi_value callback = NULL, self = NULL;
  if (ok && (count > 0 || error != 0) && state->callback != NULL &&
      napi_get_reference_value(env, state->callback, &callback) == napi_ok && callback != NULL &&
      napi_get_reference_value(env, state->self, &self) == napi_ok && self != NULL) {
    napi_value argv[2];
    argv[0] = array;
    if (napi_create_int32(env, -error, &argv[1]) == napi_ok) {
      /* make_callback enters the async context and runs the nextTick and microtask queues after. */
      napi_make_callback(env, state->async_context, self, callback, 2, argv, NULL);
    }
  }
  rethrow_pending(env);
  napi_close_handle_scope(env, scope);
}

/* ---- paths --------------------------------------------------------------------------------- */

static bool reserve_path(ino_state *state, size_t size) {
  if (size <= state->path_capacity) return true;
  size_t capacity = state->path_capacity ? state->path_capacity : 4096;
  while (capacity < size) capacity *= 2;
  char *bigger = realloc(state->path, capacity);
  if (bigger == NULL) return false;
  state->path = bigger;
  state->path_capacity = capacity;
  return true;
}

/* Copies a string (as UTF-8) or a Buffer (raw bytes) into state->path, NUL-terminated.
 * Returns 0, -EINVAL (another type, or a NUL byte inside), -ENOMEM, or -EFAULT (N-API failed). */
static int get_path(napi_env env, ino_state *state, napi_value value) {
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok) return -EFAULT;
  if (type == napi_string) {
    size_t length;
    if (state->path_capacity == 0 && !reserve_path(state, 4096)) return -ENOMEM;
    if (napi_get_value_string_utf8(env, value, state->path, state->path_capacity, &length) != napi_ok) return -EFAULT;
    /* Maybe truncated (V8 stops before a character that does not fit): ask for the length. */
    if (length + 4 >= state->path_capacity) {
      if (napi_get_value_string_utf8(env, value, NULL, 0, &length) != napi_ok) return -EFAULT;
      if (!reserve_path(state, length + 1)) return -ENOMEM;
      if (napi_get_value_string_utf8(env, value, state->path, state->path_capacity, &length) != napi_ok) return -EFAULT;
    }
    return memchr(state->path, 0, length) != NULL ? -EINVAL : 0;
  }
  bool is_buffer = false;
  if (type == napi_object && napi_is_buffer(env, value, &is_buffer) == napi_ok && is_buffer) {
    void *data;
    size_t length;
    if (napi_get_buffer_info(env, value, &data, &length) != napi_ok) return -EFAULT;
    if (length > 0 && memchr(data, 0, length) != NULL) return -EINVAL;
    if (!reserve_path(state, length + 1)) return -ENOMEM;
    if (length > 0) memcpy(state->path, data, length);
    state->path[length] = '\0';
    return 0;
  }
  return -EINVAL;
}

static int add_watch(ino_state *state, uint32_t mask) {
  if (state->fd < 0) return -EBADF;
  int wd = inotify_add_watch(state->fd, state->path, mask);
  return wd < 0 ? -errno : wd;
}

/* ---- JavaScript methods -------------------------------------------------------------------- */

static ino_state *get_this(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv) {
  napi_value self;
  void *data = NULL;
  if (napi_get_cb_info(env, info, argc, argv, &self, NULL) != napi_ok) {
    throw_last_napi_error(env, "napi_get_cb_info");
    return NULL;
  }
  if (napi_unwrap(env, self, &data) != napi_ok || data == NULL) {
    napi_throw_type_error(env, "ERR_INVALID_THIS", "not an InotifyHandle");
    return NULL;
  }
  return data;
}

static napi_value js_constructor(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], self, new_target, name;
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  NAPI_CALL(env, napi_get_new_target(env, info, &new_target));
  if (new_target == NULL) {
    napi_throw_type_error(env, "ERR_CONSTRUCT_CALL_REQUIRED", "InotifyHandle must be called with new");
    return NULL;
  }
  napi_valuetype type = napi_undefined;
  if (argc >= 1) NAPI_CALL(env, napi_typeof(env, argv[0], &type));
  if (type != napi_function) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "the events callback must be a function");
    return NULL;
  }
  bool persistent = true;
  if (argc >= 2) {
    NAPI_CALL(env, napi_typeof(env, argv[1], &type));
    if (type == napi_boolean) NAPI_CALL(env, napi_get_value_bool(env, argv[1], &persistent));
  }
  uv_loop_t *loop;
  NAPI_CALL(env, napi_get_uv_event_loop(env, &loop));

  ino_state *state = calloc(1, sizeof *state);
  ino_poll *poll = calloc(1, sizeof *poll);
  char *buffer = malloc(READ_BUFFER_SIZE); /* malloc alignment suits struct inotify_event */
  if (state == NULL || poll == NULL || buffer == NULL) {
    free(state);
    free(poll);
    free(buffer);
    throw_errno(env, ENOMEM, "malloc", NULL);
    return NULL;
  }
  int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    free(state);
    free(poll);
    free(buffer);
    throw_errno(env, err, "inotify_init1", NULL);
    return NULL;
  }
  int rc = uv_poll_init(loop, &poll->poll, fd);
  if (rc != 0) {
    close(fd);
    free(state);
    free(poll);
    free(buffer);
    throw_errno(env, -rc, "uv_poll_init", NULL);
    return NULL;
  }
  state->env = env;
  state->fd = fd;
  state->buffer = buffer;
  state->poll = poll;
  state->strong = persistent;
  poll->state = state;

  /* From here on, the finalizer cleans up whatever fails. */
  if (napi_wrap(env, self, state, finalize_state, NULL, NULL) != napi_ok) {
    throw_last_napi_error(env, "napi_wrap");
    close_native(state);
    free(state->buffer);
    free(state);
    return NULL;
  }
  uint32_t strength = persistent ? 1 : 0;
  NAPI_CALL(env, napi_create_reference(env, self, strength, &state->self));
  NAPI_CALL(env, napi_create_reference(env, argv[0], strength, &state->callback));
  NAPI_CALL(env, napi_create_string_utf8(env, "INOTIFY", NAPI_AUTO_LENGTH, &name));
  NAPI_CALL(env, napi_async_init(env, NULL, name, &state->async_context));
  if (napi_add_async_cleanup_hook(env, on_env_cleanup, poll, &poll->cleanup_hook) != napi_ok) {
    poll->cleanup_hook = NULL;
    throw_last_napi_error(env, "napi_add_async_cleanup_hook");
    close_state(state);
    return NULL;
  }
  rc = uv_poll_start(&poll->poll, UV_READABLE, on_readable);
  if (rc != 0) {
    close_state(state);
    throw_errno(env, -rc, "uv_poll_start", NULL);
    return NULL;
  }
  if (!persistent) uv_unref((uv_handle_t *)&poll->poll);
  return self;
}

static napi_value js_add_watches(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], array_buffer, result;
  ino_state *state = get_this(env, info, &argc, argv);
  if (state == NULL) return NULL;
  bool is_array = false;
  uint32_t mask = 0, count = 0;
  if (argc < 2 || napi_is_array(env, argv[0], &is_array) != napi_ok || !is_array) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "paths must be an array");
    return NULL;
  }
  if (napi_get_value_uint32(env, argv[1], &mask) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "mask must be a number");
    return NULL;
  }
  NAPI_CALL(env, napi_get_array_length(env, argv[0], &count));
  int32_t *wds = NULL;
  NAPI_CALL(env, napi_create_arraybuffer(env, (size_t)count * sizeof(int32_t), (void **)&wds, &array_buffer));
  for (uint32_t i = 0; i < count; i++) {
    /* A scope per element keeps 100,000 paths from piling up handles. */
    napi_handle_scope scope;
    napi_value item;
    NAPI_CALL(env, napi_open_handle_scope(env, &scope));
    int rc = napi_get_element(env, argv[0], i, &item) == napi_ok ? get_path(env, state, item) : -EFAULT;
    if (rc == 0) rc = add_watch(state, mask);
    wds[i] = rc;
    NAPI_CALL(env, napi_close_handle_scope(env, scope));
  }
  NAPI_CALL(env, napi_create_typedarray(env, napi_int32_array, count, array_buffer, 0, &result));
  return result;
}

/* Appends name and its NUL to the growing list; false when out of memory. */
static bool append_name(char **list, size_t *length, size_t *capacity, const char *name) {
  size_t n = strlen(name) + 1;
  if (*length + n > *capacity) {
    size_t wanted = *capacity * 2 > *length + n ? *capacity * 2 : *length + n + 4096;
    char *grown = realloc(*list, wanted);
    if (grown == NULL) return false;
    *list = grown;
    *capacity = wanted;
  }
  memcpy(*list + *length, name, n);
  *length += n;
  return true;
}

/* File systems whose directories count 2 + their subdirectories as links (find(1)'s leaf rule).
 * Others (btrfs and overlayfs say 1; network and FUSE file systems may say anything) are read. */
static bool keeps_link_count(long type) {
  switch (type) {
    case 0xEF53:     /* ext2, ext3, ext4 */
    case 0x58465342: /* xfs */
    case 0x01021994: /* tmpfs */
    case 0xF2F52010: /* f2fs */
      return true;
    default:
      return false;
  }
}

/* True when state->path is a directory with no subdirectory, known from its link count alone. */
static bool is_leaf_by_link_count(ino_state *state) {
  /* One device per tree is the rule; a small cache covers trees that cross a few mounts. */
  static struct { dev_t dev; bool keeps; } known[16];
  static size_t known_count = 0;
  struct stat st;
  if (stat(state->path, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_nlink != 2) return false;
  for (size_t i = 0; i < known_count; i++) if (known[i].dev == st.st_dev) return known[i].keeps;
  struct statfs fs;
  bool keeps = statfs(state->path, &fs) == 0 && keeps_link_count((long)fs.f_type);
  if (known_count < sizeof known / sizeof known[0]) {
    known[known_count].dev = st.st_dev;
    known[known_count].keeps = keeps;
    known_count++;
  }
  return keeps;
}

/* Lists the subdirectories of state->path into a malloc'd list; 0 or -errno. */
static int list_subdirectories(ino_state *state, bool stat_each, char **list, size_t *length) {
  if (is_leaf_by_link_count(state)) return 0;
  int dfd = open(state->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return -errno;
  DIR *dir = fdopendir(dfd);
  if (dir == NULL) {
    int err = errno;
    close(dfd);
    return -err;
  }
  size_t capacity = 0;
  int rc = 0;
  struct dirent *entry;
  for (errno = 0; (entry = readdir(dir)) != NULL; errno = 0) {
    const char *name = entry->d_name;
    if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) continue;
    bool is_dir = entry->d_type == DT_DIR;
    if (stat_each || entry->d_type == DT_UNKNOWN) {
      struct stat st;
      is_dir = fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
    }
    if (is_dir && !append_name(list, length, &capacity, name)) {
      rc = -ENOMEM;
      break;
    }
  }
  if (rc == 0 && errno != 0) rc = -errno;
  closedir(dir);
  return rc;
}

static napi_value js_subdirectories(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], result;
  ino_state *state = get_this(env, info, &argc, argv);
  if (state == NULL) return NULL;
  bool stat_each = false;
  if (argc < 2 || napi_get_value_bool(env, argv[1], &stat_each) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "statEach must be a boolean");
    return NULL;
  }
  char *list = NULL;
  size_t length = 0;
  int rc = get_path(env, state, argv[0]);
  if (rc == 0) rc = list_subdirectories(state, stat_each, &list, &length);
  napi_status status = rc == 0 ? napi_create_buffer_copy(env, length, length ? list : "", NULL, &result) : napi_create_int32(env, rc, &result);
  free(list);
  NAPI_CALL(env, status);
  return result;
}

static napi_value js_remove_watch(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  ino_state *state = get_this(env, info, &argc, argv);
  if (state == NULL) return NULL;
  int32_t wd = -1;
  if (argc < 1 || napi_get_value_int32(env, argv[0], &wd) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "wd must be a number");
    return NULL;
  }
  int rc = -EBADF;
  if (state->fd >= 0) rc = inotify_rm_watch(state->fd, wd) == 0 ? 0 : -errno;
  NAPI_CALL(env, napi_create_int32(env, rc, &result));
  return result;
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  ino_state *state = get_this(env, info, &argc, NULL);
  if (state != NULL) close_state(state);
  return NULL;
}

/* ---- module -------------------------------------------------------------------------------- */

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_property_descriptor methods[] = {
    {"addWatches", NULL, js_add_watches, NULL, NULL, NULL, napi_default_method, NULL},
    {"removeWatch", NULL, js_remove_watch, NULL, NULL, NULL, napi_default_method, NULL},
    {"subdirectories", NULL, js_subdirectories, NULL, NULL, NULL, napi_default_method, NULL},
    {"close", NULL, js_close, NULL, NULL, NULL, napi_default_method, NULL},
  };
  napi_value klass;
  NAPI_CALL(env, napi_define_class(env, "InotifyHandle", NAPI_AUTO_LENGTH, js_constructor, NULL, sizeof methods / sizeof methods[0], methods, &klass));
  NAPI_CALL(env, napi_set_named_property(env, exports, "InotifyHandle", klass));
  return sizes_register(env, exports);
}
