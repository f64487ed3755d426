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
 *   subdirectories(path, statEach) -> array of the names of path's subdirectories, unsorted,
 *                            each a string when it is UTF-8 and a Buffer of its bytes otherwise
 *                            (native/names.c); or -errno (native/subdirectories.c).
 *   watchChunk(paths, mask, statEach, count[, deeperMask, budget]) -> Promise: addWatches,
 *                            then subdirectories() of each directory watched, on a libuv
 *                            thread, and on below them up to `budget` (native/watch_chunk.c).
 *   close()                  idempotent, allowed inside onEvents
 *   failNextBatch()          test hook, defined only when SERSYNC2_INOTIFY_TEST_HOOKS=1 is in the
 *                            environment when the addon loads: the next read's events fail to
 *                            become objects, as when a Node-API call fails (the reader then sends
 *                            an overflow). Even if set in production it costs a full sync, no loss.
 * Module exports: InotifyHandle, FanotifyHandle (native/fanotify.c), and largeFiles
 * (native/sizes.c: batch mode's large-file test).
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
#include "names.h"
#include "sizes.h"
#include "subdirectories.h"
#include "watch_chunk.h"

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

static napi_value js_constructor(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], self, new_target;
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
  int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) {
    throw_errno(env, errno, "inotify_init1", NULL);
    return NULL;
  }
  return ino_open(env, self, fd, false, argv[0], persistent, "INOTIFY") != NULL ? self : NULL;
}

static napi_value js_add_watches(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], array_buffer, result;
  ino_state *state = ino_unwrap(env, info, &argc, argv);
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
  ino_state *state = ino_unwrap(env, info, &argc, argv);
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
  bool made = rc == 0 ? names_to_array(env, list, length, &result) : napi_create_int32(env, rc, &result) == napi_ok;
  free(list);
  if (!made) {
    throw_last_napi_error(env, "subdirectories");
    return NULL;
  }
  return result;
}

static napi_value js_remove_watch(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  ino_state *state = ino_unwrap(env, info, &argc, argv);
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

/* ---- module -------------------------------------------------------------------------------- */

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_property_descriptor methods[] = {
    {"addWatches", NULL, js_add_watches, NULL, NULL, NULL, napi_default_method, NULL},
    {"removeWatch", NULL, js_remove_watch, NULL, NULL, NULL, napi_default_method, NULL},
    {"subdirectories", NULL, js_subdirectories, NULL, NULL, NULL, napi_default_method, NULL},
    {"watchChunk", NULL, ino_watch_chunk, NULL, NULL, NULL, napi_default_method, NULL},
  };
  if (!ino_define_class(env, exports, "InotifyHandle", js_constructor, methods, sizeof methods / sizeof methods[0])) return NULL;
  if (fanotify_register(env, exports) == NULL) return NULL;
  return sizes_register(env, exports);
}
