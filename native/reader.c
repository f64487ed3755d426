/*
 * Events to JavaScript: onEvents(events, errno) once per readable wake-up, with every event read
 * until EAGAIN. Events read from the kernel are gone from it, so when a Node-API call fails before
 * they all became objects, what was built is dropped and JavaScript gets an overflow event
 * instead ({wd: -1, mask: IN_Q_OVERFLOW}, what the kernel sends when it drops events itself): the
 * watcher answers it with a full sync. Should even that event fail, it is owed (overflow_pending)
 * and leads the next wake-up's events. A FanotifyHandle's records go the same way, through
 * native/fan_events.c ({mask: FAN_Q_OVERFLOW} for the overflow).
 */
#define ADDON_NAME "inotify"
#define ADDON_NAPI_ERROR "ERR_INOTIFY_NAPI"
#include "napi_errors.h"
#include "events.h"
#include "fan_events.h"
#include "inotify_state.h"

#include <errno.h>
#include <sys/inotify.h>
#include <unistd.h>

/* Reads until EAGAIN, at most MAX_READS_PER_WAKEUP times; *error is a read's errno. Returns
 * false when the events of a read could not all be pushed (lost: an overflow is owed). */
/* Room for either kernel's property names. */
#define MAX_KEYS ((int)KEY_COUNT > (int)FKEY_COUNT ? (int)KEY_COUNT : (int)FKEY_COUNT)

static bool make_keys(ino_state *state, napi_value keys[MAX_KEYS]) {
  return state->fanotify ? fan_events_keys(state->env, keys) : events_keys(state->env, keys);
}

static bool push_overflow(ino_state *state, napi_value keys[MAX_KEYS], napi_value array, uint32_t *count) {
  return state->fanotify ? fan_events_push_overflow(state->env, keys, array, count) : events_push_overflow(state->env, keys, array, count);
}

static bool read_events(ino_state *state, napi_value keys[MAX_KEYS], napi_value array, uint32_t *count, int *error) {
  for (int reads = 0; reads < MAX_READS_PER_WAKEUP;) {
    ssize_t n = read(state->fd, state->buffer, READ_BUFFER_SIZE);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) *error = errno;
      return true;
    }
    if (n == 0) return true;
    reads++;
    bool pushed;
    if (state->fanotify) {
      pushed = fan_events_push(state->env, state->buffer, (size_t)n, keys, array, count);
    } else {
      /* A file system unmounted, or maybe (overflow): a device number may now name another one. */
      if (events_any(state->buffer, (size_t)n, IN_UNMOUNT | IN_Q_OVERFLOW)) fs_type_cache_clear(&state->fs_types);
      pushed = events_push(state->env, state->buffer, (size_t)n, keys, array, count);
    }
    if (state->fail_next_batch) {
      state->fail_next_batch = false;
      pushed = false;
    }
    if (!pushed) return false;
  }
  return true;
}

/* After a failed call: the events built are dropped, a fresh array holds the owed overflow.
 * An exception left pending by the failure would fail every call after it: it is rethrown later. */
static bool replace_with_overflow(ino_state *state, napi_value keys[MAX_KEYS], napi_value *array, uint32_t *count, napi_value *exception) {
  napi_env env = state->env;
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) == napi_ok && pending) napi_get_and_clear_last_exception(env, exception);
  *count = 0;
  return napi_create_array(env, array) == napi_ok && push_overflow(state, keys, *array, count);
}

void ino_on_readable(uv_poll_t *handle, int status, int events) {
  (void)events;
  ino_state *state = ((ino_poll *)handle)->state;
  if (state == NULL || state->closed) return;
  napi_env env = state->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;

  napi_value keys[MAX_KEYS], array, exception = NULL;
  uint32_t count = 0;
  int error = 0;
  /* Nothing is read unless the array is ready: unread events wait in the kernel (level-triggered). */
  bool ok = make_keys(state, keys) && napi_create_array(env, &array) == napi_ok;
  if (ok && state->overflow_pending) ok = push_overflow(state, keys, array, &count);
  if (ok) {
    if (status < 0) {
      error = -status; /* libuv errors are negated errno values on Unix */
    } else if (!read_events(state, keys, array, &count, &error)) {
      fs_type_cache_clear(&state->fs_types); /* what was lost may have been an IN_UNMOUNT */
      state->overflow_pending = true;
      ok = replace_with_overflow(state, keys, &array, &count, &exception);
    }
  }
  if (ok) state->overflow_pending = false; /* the overflow, if owed, is in the array */
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
  if (exception != NULL) napi_fatal_exception(env, exception);
  rethrow_pending(env);
  napi_close_handle_scope(env, scope);
}
