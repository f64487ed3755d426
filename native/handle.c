/*
 * What the addon's two classes (InotifyHandle, native/inotify.c; FanotifyHandle,
 * native/fanotify.c) share: a descriptor read on a uv_poll_t into one callback per wake-up
 * (native/reader.c), its lifetime (native/lifetime.c), and the class with its methods close() and
 * failNextBatch().
 */
#define ADDON_NAME "inotify"
#define ADDON_NAPI_ERROR "ERR_INOTIFY_NAPI"
#include "napi_errors.h"
#include "inotify_state.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

ino_state *ino_unwrap(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv) {
  napi_value self;
  void *data = NULL;
  if (napi_get_cb_info(env, info, argc, argv, &self, NULL) != napi_ok) {
    throw_last_napi_error(env, "napi_get_cb_info");
    return NULL;
  }
  if (napi_unwrap(env, self, &data) != napi_ok || data == NULL) {
    napi_throw_type_error(env, "ERR_INVALID_THIS", "not an InotifyHandle or FanotifyHandle");
    return NULL;
  }
  return data;
}

/* Takes `fd` (closed here on failure) and wraps `self` around it. */
ino_state *ino_open(napi_env env, napi_value self, int fd, bool fanotify, napi_value callback, bool persistent, const char *resource) {
  uv_loop_t *loop;
  ino_state *state = calloc(1, sizeof *state);
  ino_poll *poll = calloc(1, sizeof *poll);
  char *buffer = malloc(READ_BUFFER_SIZE); /* malloc alignment suits both kernels' records */
  int rc = state == NULL || poll == NULL || buffer == NULL ? -ENOMEM : 0;
  if (rc == 0 && napi_get_uv_event_loop(env, &loop) != napi_ok) rc = -EFAULT;
  if (rc == 0) rc = uv_poll_init(loop, &poll->poll, fd);
  if (rc != 0) {
    close(fd);
    free(state);
    free(poll);
    free(buffer);
    if (rc == -EFAULT) throw_last_napi_error(env, "napi_get_uv_event_loop");
    else throw_errno(env, -rc, rc == -ENOMEM ? "malloc" : "uv_poll_init", NULL);
    return NULL;
  }
  state->env = env;
  state->fd = fd;
  state->mount_fd = -1;
  state->fanotify = fanotify;
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
  napi_value name;
  if (napi_create_reference(env, self, strength, &state->self) != napi_ok ||
      napi_create_reference(env, callback, strength, &state->callback) != napi_ok ||
      napi_create_string_utf8(env, resource, NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_async_init(env, NULL, name, &state->async_context) != napi_ok) {
    throw_last_napi_error(env, "napi_create_reference");
    ino_close_state(state);
    return NULL;
  }
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
  return state;
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  ino_state *state = ino_unwrap(env, info, &argc, NULL);
  if (state != NULL) ino_close_state(state);
  return NULL;
}

/* Test hook (native/inotify.c's header comment): the reader's path for a failed Node-API call. */
static napi_value js_fail_next_batch(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  ino_state *state = ino_unwrap(env, info, &argc, NULL);
  if (state != NULL) state->fail_next_batch = true;
  return NULL;
}

bool ino_define_class(napi_env env, napi_value exports, const char *name, napi_callback constructor, const napi_property_descriptor *own, size_t own_count) {
  napi_property_descriptor methods[8] = {
    {"close", NULL, js_close, NULL, NULL, NULL, napi_default_method, NULL},
    {"failNextBatch", NULL, js_fail_next_batch, NULL, NULL, NULL, napi_default_method, NULL},
  };
  /* The test hook exists only when SERSYNC2_INOTIFY_TEST_HOOKS=1 is set at load time. */
  const char *hooks = getenv("SERSYNC2_INOTIFY_TEST_HOOKS");
  size_t count = hooks != NULL && strcmp(hooks, "1") == 0 ? 2 : 1;
  for (size_t i = 0; i < own_count && count < sizeof methods / sizeof methods[0]; i++) methods[count++] = own[i];
  napi_value klass;
  if (napi_define_class(env, name, NAPI_AUTO_LENGTH, constructor, NULL, count, methods, &klass) != napi_ok ||
      napi_set_named_property(env, exports, name, klass) != napi_ok) {
    throw_last_napi_error(env, "napi_define_class");
    return false;
  }
  return true;
}
