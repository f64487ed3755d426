/*
 * The names a read found, made into PathNames here rather than in JavaScript: one flat string per
 * name, as an event's name is made (events.c), where a Buffer per name and a decode each cost the
 * start-up walk of a big tree most of its main-thread time and garbage.
 */
#include "names.h"
#include "utf8.h"

#include <string.h>

bool names_to_array(napi_env env, const char *names, size_t length, napi_value *out) {
  uint32_t count = 0;
  for (size_t at = 0; at < length; at++) count += names[at] == '\0';
  if (napi_create_array_with_length(env, count, out) != napi_ok) return false;
  const char *name = names;
  for (uint32_t i = 0; i < count; i++) {
    size_t n = strlen(name);
    napi_value value;
    napi_status status = utf8_is_valid((const unsigned char *)name, n) ? napi_create_string_utf8(env, name, n, &value) : napi_create_buffer_copy(env, n, name, NULL, &value);
    if (status != napi_ok || napi_set_element(env, *out, i, value) != napi_ok) return false;
    name += n + 1;
  }
  return true;
}
