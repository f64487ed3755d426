/* Path arguments of InotifyHandle's methods, copied into the state's growing scratch buffer. */
#include "inotify_state.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

int ino_get_path(napi_env env, ino_state *state, napi_value value) {
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
