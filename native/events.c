/* Kernel inotify records as JavaScript objects {wd, mask, cookie[, name, nameBytes]}. */
#include "events.h"
#include "utf8.h"

#include <string.h>
#include <sys/inotify.h>

static const char *const key_names[KEY_COUNT] = {"wd", "mask", "cookie", "name", "nameBytes"};

bool events_keys(napi_env env, napi_value keys[KEY_COUNT]) {
  for (int i = 0; i < KEY_COUNT; i++)
    if (napi_create_string_utf8(env, key_names[i], NAPI_AUTO_LENGTH, &keys[i]) != napi_ok) return false;
  return true;
}

static bool push_one(napi_env env, int32_t wd, uint32_t mask, uint32_t cookie, const char *name, size_t name_length, napi_value keys[KEY_COUNT], napi_value array, uint32_t *count) {
  /* nameBytes only where `name` cannot carry the bytes: one Buffer per event costs more than
   * the rest of the event together. */
  bool raw = name_length > 0 && !utf8_is_valid((const unsigned char *)name, name_length);
  napi_property_descriptor props[KEY_COUNT];
  memset(props, 0, sizeof props);
  size_t n = name_length == 0 ? KEY_NAME : raw ? KEY_COUNT : KEY_NAME_BYTES;
  for (size_t i = 0; i < n; i++) {
    props[i].name = keys[i];
    props[i].attributes = napi_default_jsproperty;
  }
  napi_value object;
  if (napi_create_int32(env, wd, &props[KEY_WD].value) != napi_ok) return false;
  if (napi_create_uint32(env, mask, &props[KEY_MASK].value) != napi_ok) return false;
  if (napi_create_uint32(env, cookie, &props[KEY_COOKIE].value) != napi_ok) return false;
  if (name_length > 0) {
    /* Invalid UTF-8 becomes U+FFFD in `name`; then `nameBytes` keeps the exact bytes. */
    if (napi_create_string_utf8(env, name, name_length, &props[KEY_NAME].value) != napi_ok) return false;
    if (raw && napi_create_buffer_copy(env, name_length, name, NULL, &props[KEY_NAME_BYTES].value) != napi_ok) return false;
  }
  if (napi_create_object(env, &object) != napi_ok) return false;
  if (napi_define_properties(env, object, n, props) != napi_ok) return false;
  return napi_set_element(env, array, (*count)++, object) == napi_ok;
}

/* The whole record at *offset of one read, *offset moved past it; NULL at the end. */
static const struct inotify_event *next_record(const char *bytes, size_t length, size_t *offset) {
  if (*offset + sizeof(struct inotify_event) > length) return NULL;
  const struct inotify_event *event = (const void *)(bytes + *offset);
  size_t record = sizeof(struct inotify_event) + event->len;
  if (*offset + record > length) return NULL; /* the kernel never splits a record */
  *offset += record;
  return event;
}

bool events_any(const char *bytes, size_t length, uint32_t mask) {
  size_t offset = 0;
  for (const struct inotify_event *event; (event = next_record(bytes, length, &offset)) != NULL;)
    if (event->mask & mask) return true;
  return false;
}

bool events_push(napi_env env, const char *bytes, size_t length, napi_value keys[KEY_COUNT], napi_value array, uint32_t *count) {
  size_t offset = 0;
  for (const struct inotify_event *event; (event = next_record(bytes, length, &offset)) != NULL;) {
    size_t name_length = event->len > 0 ? strnlen(event->name, event->len) : 0;
    if (!push_one(env, event->wd, event->mask, event->cookie, event->name, name_length, keys, array, count)) return false;
  }
  return true;
}

bool events_push_overflow(napi_env env, napi_value keys[KEY_COUNT], napi_value array, uint32_t *count) {
  return push_one(env, -1, IN_Q_OVERFLOW, 0, NULL, 0, keys, array, count);
}
