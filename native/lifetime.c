/*
 * Closing an InotifyHandle. ino_state belongs to the JS object (napi_wrap) and is freed by its
 * finalizer, which closes the descriptor first if close() was never called. The uv_poll_t lives
 * in a separate ino_poll allocation that libuv owns from uv_close() until its close callback frees
 * it, so the JS object may be collected while libuv still holds the handle.
 */
#include "inotify_state.h"

#include <stdlib.h>
#include <unistd.h>

static void on_poll_closed(uv_handle_t *handle) {
  ino_poll *poll = (ino_poll *)handle;
  if (poll->cleanup_hook != NULL) napi_remove_async_cleanup_hook(poll->cleanup_hook);
  free(poll);
}

/* Also used by the cleanup hook, hence no JS value. */
void ino_close_native(ino_state *state) {
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
  if (state->mount_fd >= 0) {
    close(state->mount_fd);
    state->mount_fd = -1;
  }
}

/* Environment teardown (worker exit, process exit): close so the loop can be closed. */
void ino_on_env_cleanup(napi_async_cleanup_hook_handle hook, void *data) {
  (void)hook;
  ino_poll *poll = data;
  /* on_poll_closed removes the hook; if a close is already under way, it will. */
  if (poll->state != NULL) ino_close_native(poll->state);
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

void ino_close_state(ino_state *state) {
  ino_close_native(state);
  set_strong(state, false);
  if (state->callback != NULL) {
    napi_delete_reference(state->env, state->callback);
    state->callback = NULL;
  }
}

void ino_finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  ino_state *state = data;
  ino_close_native(state);
  if (state->callback != NULL) napi_delete_reference(env, state->callback);
  if (state->self != NULL) napi_delete_reference(env, state->self);
  if (state->async_context != NULL) napi_async_destroy(env, state->async_context);
  free(state->buffer);
  free(state->path);
  free(state->root_key);
  free(state);
}
