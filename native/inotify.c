/*
 * inotify for Node.js: plain C on Node-API (NAPI_VERSION 8) and libuv, Linux only.
 *
 * JavaScript class InotifyHandle (wrapped by lib/inotify/binding.ts):
 *   new InotifyHandle(onEvents, persistent)
 *       inotify_init1(IN_NONBLOCK | IN_CLOEXEC) and a uv_poll_t on the descriptor.
 *       onEvents(events, errno) is called once per readable wake-up with every event read until
 *       EAGAIN (an array of {wd, mask, cookie[, name, nameBytes]}; native/reader.c); errno is 0,
 *       or the negative errno of a read (or poll) error, after which the handle stops reading.
 *   addWatches(paths, mask)  -> Int32Array of wd or -errno   (one native call for all paths;
 *                            a path is a string or a Buffer)
 *   removeWatch(wd)          -> 0, or -errno
 *   subdirectories(path, statEach) -> Buffer of the names of path's subdirectories, each ended
 *                            by a NUL, unsorted; or -errno (native/subdirectories.c).
 *   close()                  idempotent, allowed inside onEvents
 *   failNextBatch()          test hook, defined only when SERSYNC2_INOTIFY_TEST_HOOKS=1 is in the
 *                            environment when the addon loads: the next read's events fail to
 *                            become objects, as when a Node-API call fails (the reader then sends
 *                            an overflow). Even if set in production it costs a full sync, no loss.
 * Module exports: InotifyHandle, and largeFiles (native/sizes.c: batch mode's large-file test).
 *
 * Lifetimes (native/lifetime.c). While open and persistent, the JS object and the callback are
 * held by strong napi references (like an active socket, a watching instance is not collected);
 * close() turns them weak, and a non-persistent instance holds them weakly from the start. An
 * async cleanup hook closes the handle when the environment (a worker, or the process) is torn
 * down.
 */
#define ADDON_NAME "inotify"
#define ADDON_NAPI_ERROR "ERR_INOTIFY_NAPI"
#include "napi_errors.h"
#include "inotify_state.h"
#include "sizes.h"
#include "subdirectories.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

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
  if (napi_wrap(env, self, state, ino_finalize, NULL, NULL) != napi_ok) {
    throw_last_napi_error(env, "napi_wrap");
    ino_close_native(state);
    free(state->buffer);
    free(state);
    return NULL;
  }
  uint32_t strength = persistent ? 1 : 0;
  NAPI_CALL(env, napi_create_reference(env, self, strength, &state->self));
  NAPI_CALL(env, napi_create_reference(env, argv[0], strength, &state->callback));
  NAPI_CALL(env, napi_create_string_utf8(env, "INOTIFY", NAPI_AUTO_LENGTH, &name));
  NAPI_CALL(env, napi_async_init(env, NULL, name, &state->async_context));
  if (napi_add_async_cleanup_hook(env, ino_on_env_cleanup, poll, &poll->cleanup_hook) != napi_ok) {
    poll->cleanup_hook = NULL;
    throw_last_napi_error(env, "napi_add_async_cleanup_hook");
    ino_close_state(state);
    return NULL;
  }
  rc = uv_poll_start(&poll->poll, UV_READABLE, ino_on_readable);
  if (rc != 0) {
    ino_close_state(state);
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
    int rc = napi_get_element(env, argv[0], i, &item) == napi_ok ? ino_get_path(env, state, item) : -EFAULT;
    if (rc == 0) rc = add_watch(state, mask);
    wds[i] = rc;
    NAPI_CALL(env, napi_close_handle_scope(env, scope));
  }
  NAPI_CALL(env, napi_create_typedarray(env, napi_int32_array, count, array_buffer, 0, &result));
  return result;
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
  int rc = ino_get_path(env, state, argv[0]);
  if (rc == 0) rc = subdirectories_list(state->path, stat_each, &state->fs_types, &list, &length);
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
  if (state != NULL) ino_close_state(state);
  return NULL;
}

/* Test hook (see the header comment): the reader's path for a failed Node-API call, on demand. */
static napi_value js_fail_next_batch(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  ino_state *state = get_this(env, info, &argc, NULL);
  if (state != NULL) state->fail_next_batch = true;
  return NULL;
}

/* ---- module -------------------------------------------------------------------------------- */

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_property_descriptor methods[] = {
    {"addWatches", NULL, js_add_watches, NULL, NULL, NULL, napi_default_method, NULL},
    {"removeWatch", NULL, js_remove_watch, NULL, NULL, NULL, napi_default_method, NULL},
    {"subdirectories", NULL, js_subdirectories, NULL, NULL, NULL, napi_default_method, NULL},
    {"close", NULL, js_close, NULL, NULL, NULL, napi_default_method, NULL},
    {"failNextBatch", NULL, js_fail_next_batch, NULL, NULL, NULL, napi_default_method, NULL},
  };
  /* The test hook exists only when asked for at load time. */
  const char *hooks = getenv("SERSYNC2_INOTIFY_TEST_HOOKS");
  size_t count = sizeof methods / sizeof methods[0] - (hooks != NULL && strcmp(hooks, "1") == 0 ? 0 : 1);
  napi_value klass;
  NAPI_CALL(env, napi_define_class(env, "InotifyHandle", NAPI_AUTO_LENGTH, js_constructor, NULL, count, methods, &klass));
  NAPI_CALL(env, napi_set_named_property(env, exports, "InotifyHandle", klass));
  return sizes_register(env, exports);
}
