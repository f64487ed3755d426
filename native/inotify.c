/*
 * A small inotify binding for Node.js (N-API, no nan). The C side only owns the file descriptor:
 * it adds and removes watches and, each time libuv reports the descriptor readable, reads until
 * EAGAIN and hands the raw bytes to JavaScript in one call. Parsing struct inotify_event happens
 * in lib/inotify/binding.ts, so the native code stays small.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <uv.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#define READ_CHUNK (64 * 1024)
#define PATH_MAX_BYTES 4096

typedef struct {
  int fd;
  int closed;
  /* Allocated apart: libuv frees it after uv_close, while the struct lives until the JS handle is collected. */
  uv_poll_t *poll;
  napi_env env;
  napi_ref callback;
  napi_async_context async_context;
} watcher_t;

#define CHECK(call)                                                         \
  do {                                                                      \
    napi_status status_ = (call);                                           \
    if (status_ != napi_ok) {                                               \
      napi_throw_error(env, NULL, "inotify binding: N-API call failed: " #call); \
      return NULL;                                                          \
    }                                                                       \
  } while (0)

static void free_after_close(uv_handle_t *handle) {
  free(handle);
}

/* Stops polling and closes the descriptor; the struct is freed once libuv has let go of it. */
static void shutdown_watcher(watcher_t *w) {
  if (w->closed) return;
  w->closed = 1;
  uv_poll_stop(w->poll);
  close(w->fd);
  w->fd = -1;
  if (w->callback) napi_delete_reference(w->env, w->callback);
  w->callback = NULL;
  if (w->async_context) napi_async_destroy(w->env, w->async_context);
  w->async_context = NULL;
  w->poll->data = NULL;
  uv_close((uv_handle_t *)w->poll, free_after_close);
  w->poll = NULL;
}

static void finalize_watcher(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  shutdown_watcher((watcher_t *)data);
  free(data);
}

static void deliver(watcher_t *w, const char *bytes, size_t length, int error) {
  napi_env env = w->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value callback, recv, args[2];
  if (w->callback && napi_get_reference_value(env, w->callback, &callback) == napi_ok && callback != NULL) {
    napi_get_global(env, &recv); /* make_callback needs an object receiver */
    void *copy;
    napi_create_buffer_copy(env, length, bytes, &copy, &args[0]);
    napi_create_int32(env, error, &args[1]);
    /* make_callback runs microtasks afterwards and turns a throw into an uncaught exception. */
    napi_make_callback(env, w->async_context, recv, callback, 2, args, NULL);
  }
  napi_close_handle_scope(env, scope);
}

static void on_readable(uv_poll_t *handle, int status, int events) {
  (void)events;
  watcher_t *w = (watcher_t *)handle->data;
  if (!w || w->closed) return;
  if (status < 0) {
    deliver(w, NULL, 0, -status);
    return;
  }
  size_t capacity = READ_CHUNK, used = 0;
  char *buffer = malloc(capacity);
  if (!buffer) return;
  int error = 0;
  for (;;) {
    if (capacity - used < sizeof(struct inotify_event) + NAME_MAX + 1) {
      char *bigger = realloc(buffer, capacity * 2);
      if (!bigger) break;
      buffer = bigger;
      capacity *= 2;
    }
    ssize_t n = read(w->fd, buffer + used, capacity - used);
    if (n > 0) {
      used += (size_t)n;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN) error = errno;
    break;
  }
  if (used > 0 || error) deliver(w, buffer, used, error);
  free(buffer);
}

static watcher_t *unwrap(napi_env env, napi_value value) {
  watcher_t *w = NULL;
  if (napi_get_value_external(env, value, (void **)&w) != napi_ok || w == NULL || w->closed) {
    napi_throw_error(env, "ERR_INOTIFY_CLOSED", "the inotify instance is closed");
    return NULL;
  }
  return w;
}

/* Reads a string or Buffer path into out (NUL-terminated). Returns 0, or -1 with an exception set. */
static int read_path(napi_env env, napi_value value, char *out, size_t size) {
  bool is_buffer = false;
  napi_is_buffer(env, value, &is_buffer);
  if (is_buffer) {
    void *data;
    size_t length;
    napi_get_buffer_info(env, value, &data, &length);
    if (length >= size || memchr(data, 0, length)) {
      napi_throw_range_error(env, "ENAMETOOLONG", "path is too long or holds a NUL byte");
      return -1;
    }
    memcpy(out, data, length);
    out[length] = 0;
    return 0;
  }
  size_t copied;
  if (napi_get_value_string_utf8(env, value, out, size, &copied) != napi_ok) {
    napi_throw_type_error(env, NULL, "path must be a string or a Buffer");
    return -1;
  }
  if (copied >= size - 1) {
    napi_throw_range_error(env, "ENAMETOOLONG", "path is too long");
    return -1;
  }
  return 0;
}

/* open(callback, persistent) -> external handle */
static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], result, resource_name;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  bool persistent = true;
  if (argc > 1) napi_get_value_bool(env, argv[1], &persistent);
  int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) {
    napi_throw_error(env, NULL, strerror(errno));
    return NULL;
  }
  watcher_t *w = calloc(1, sizeof *w);
  if (!w) {
    close(fd);
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  w->fd = fd;
  w->env = env;
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  w->poll = malloc(sizeof *w->poll);
  if (!w->poll || uv_poll_init(loop, w->poll, fd) != 0) {
    close(fd);
    free(w->poll);
    free(w);
    napi_throw_error(env, NULL, "uv_poll_init failed");
    return NULL;
  }
  w->poll->data = w;
  CHECK(napi_create_reference(env, argv[0], 1, &w->callback));
  CHECK(napi_create_string_utf8(env, "inotify", NAPI_AUTO_LENGTH, &resource_name));
  CHECK(napi_async_init(env, NULL, resource_name, &w->async_context));
  uv_poll_start(w->poll, UV_READABLE, on_readable);
  if (!persistent) uv_unref((uv_handle_t *)w->poll);
  CHECK(napi_create_external(env, w, finalize_watcher, NULL, &result));
  return result;
}

/* addWatch(handle, path, mask) -> wd, or -errno */
static napi_value js_add_watch(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], result;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  watcher_t *w = unwrap(env, argv[0]);
  if (!w) return NULL;
  char path[PATH_MAX_BYTES];
  if (read_path(env, argv[1], path, sizeof path) < 0) return NULL;
  uint32_t mask;
  CHECK(napi_get_value_uint32(env, argv[2], &mask));
  int wd = inotify_add_watch(w->fd, path, mask);
  CHECK(napi_create_int32(env, wd < 0 ? -errno : wd, &result));
  return result;
}

/* addWatches(handle, paths[], mask) -> Int32Array of wd or -errno, one syscall each, one JS call in all */
static napi_value js_add_watches(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], array_buffer, result;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  watcher_t *w = unwrap(env, argv[0]);
  if (!w) return NULL;
  uint32_t count, mask;
  CHECK(napi_get_array_length(env, argv[1], &count));
  CHECK(napi_get_value_uint32(env, argv[2], &mask));
  int32_t *wds;
  CHECK(napi_create_arraybuffer(env, (size_t)count * sizeof(int32_t), (void **)&wds, &array_buffer));
  char path[PATH_MAX_BYTES];
  for (uint32_t i = 0; i < count; i++) {
    napi_value item;
    CHECK(napi_get_element(env, argv[1], i, &item));
    if (read_path(env, item, path, sizeof path) < 0) return NULL;
    int wd = inotify_add_watch(w->fd, path, mask);
    wds[i] = wd < 0 ? -errno : wd;
  }
  CHECK(napi_create_typedarray(env, napi_int32_array, count, array_buffer, 0, &result));
  return result;
}

/* removeWatch(handle, wd) -> 0, or -errno */
static napi_value js_remove_watch(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], result;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  watcher_t *w = unwrap(env, argv[0]);
  if (!w) return NULL;
  int32_t wd;
  CHECK(napi_get_value_int32(env, argv[1], &wd));
  int rc = inotify_rm_watch(w->fd, wd);
  CHECK(napi_create_int32(env, rc < 0 ? -errno : 0, &result));
  return result;
}

/* close(handle): idempotent */
static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  watcher_t *w = NULL;
  if (napi_get_value_external(env, argv[0], (void **)&w) == napi_ok && w) shutdown_watcher(w);
  return NULL;
}

/* fd(handle) -> the descriptor, for diagnostics */
static napi_value js_fd(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  watcher_t *w = NULL;
  napi_get_value_external(env, argv[0], (void **)&w);
  CHECK(napi_create_int32(env, w && !w->closed ? w->fd : -1, &result));
  return result;
}

static void set_u32(napi_env env, napi_value object, const char *name, uint32_t value) {
  napi_value v;
  napi_create_uint32(env, value, &v);
  napi_set_named_property(env, object, name, v);
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor methods[] = {
    {"open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL},
    {"addWatch", NULL, js_add_watch, NULL, NULL, NULL, napi_default, NULL},
    {"addWatches", NULL, js_add_watches, NULL, NULL, NULL, napi_default, NULL},
    {"removeWatch", NULL, js_remove_watch, NULL, NULL, NULL, napi_default, NULL},
    {"close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL},
    {"fd", NULL, js_fd, NULL, NULL, NULL, napi_default, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof methods / sizeof methods[0], methods));
  napi_value constants;
  CHECK(napi_create_object(env, &constants));
  set_u32(env, constants, "IN_ACCESS", IN_ACCESS);
  set_u32(env, constants, "IN_MODIFY", IN_MODIFY);
  set_u32(env, constants, "IN_ATTRIB", IN_ATTRIB);
  set_u32(env, constants, "IN_CLOSE_WRITE", IN_CLOSE_WRITE);
  set_u32(env, constants, "IN_CLOSE_NOWRITE", IN_CLOSE_NOWRITE);
  set_u32(env, constants, "IN_CLOSE", IN_CLOSE);
  set_u32(env, constants, "IN_OPEN", IN_OPEN);
  set_u32(env, constants, "IN_MOVED_FROM", IN_MOVED_FROM);
  set_u32(env, constants, "IN_MOVED_TO", IN_MOVED_TO);
  set_u32(env, constants, "IN_MOVE", IN_MOVE);
  set_u32(env, constants, "IN_CREATE", IN_CREATE);
  set_u32(env, constants, "IN_DELETE", IN_DELETE);
  set_u32(env, constants, "IN_DELETE_SELF", IN_DELETE_SELF);
  set_u32(env, constants, "IN_MOVE_SELF", IN_MOVE_SELF);
  set_u32(env, constants, "IN_ALL_EVENTS", IN_ALL_EVENTS);
  set_u32(env, constants, "IN_UNMOUNT", IN_UNMOUNT);
  set_u32(env, constants, "IN_Q_OVERFLOW", IN_Q_OVERFLOW);
  set_u32(env, constants, "IN_IGNORED", IN_IGNORED);
  set_u32(env, constants, "IN_ONLYDIR", IN_ONLYDIR);
  set_u32(env, constants, "IN_DONT_FOLLOW", IN_DONT_FOLLOW);
  set_u32(env, constants, "IN_EXCL_UNLINK", IN_EXCL_UNLINK);
  set_u32(env, constants, "IN_MASK_ADD", IN_MASK_ADD);
  set_u32(env, constants, "IN_ISDIR", IN_ISDIR);
  set_u32(env, constants, "IN_ONESHOT", IN_ONESHOT);
  CHECK(napi_set_named_property(env, exports, "constants", constants));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
