/*
 * Kernel fanotify records as JavaScript objects {mask[, dir, name, nameBytes, dir2, name2,
 * name2Bytes]}. With FAN_REPORT_DFID_NAME each record carries the directory's file handle and
 * the entry's name ('.' for an event on the directory itself); FAN_RENAME carries the old place
 * (OLD_DFID_NAME) and the new one (NEW_DFID_NAME). No record opens a descriptor (fd is FAN_NOFD).
 */
#include "fan_events.h"
#include "utf8.h"

#include <fcntl.h>
#include <string.h>
#include <sys/fanotify.h>
#include <unistd.h>

static const char *const key_names[FKEY_COUNT] = {"mask", "dir", "name", "nameBytes", "dir2", "name2", "name2Bytes"};

bool fan_events_keys(napi_env env, napi_value keys[FKEY_COUNT]) {
  for (int i = 0; i < FKEY_COUNT; i++)
    if (napi_create_string_utf8(env, key_names[i], NAPI_AUTO_LENGTH, &keys[i]) != napi_ok) return false;
  return true;
}

bool fan_handle_key(napi_env env, int type, const unsigned char *bytes, size_t length, napi_value *key) {
  char buffer[4 + MAX_HANDLE_SZ];
  if (length > MAX_HANDLE_SZ) length = MAX_HANDLE_SZ;
  memcpy(buffer, &type, 4);
  memcpy(buffer + 4, bytes, length);
  return napi_create_string_latin1(env, buffer, 4 + length, key) == napi_ok;
}

/* One place of an event: a directory and a name inside it. */
typedef struct {
  const struct file_handle *handle; /* NULL when the record had none */
  const char *name;
  size_t name_length;
} place;

typedef struct {
  napi_property_descriptor props[FKEY_COUNT];
  size_t n;
} object_props;

static void add(object_props *o, napi_value *keys, int key, napi_value value) {
  o->props[o->n].name = keys[key];
  o->props[o->n].value = value;
  o->props[o->n].attributes = napi_default_jsproperty;
  o->n++;
}

static bool add_place(napi_env env, object_props *o, napi_value *keys, int dir_key, const place *at) {
  if (at->handle == NULL) return true;
  napi_value dir, name, bytes;
  if (!fan_handle_key(env, at->handle->handle_type, at->handle->f_handle, at->handle->handle_bytes, &dir)) return false;
  add(o, keys, dir_key, dir);
  /* A record without a name is about the directory itself. */
  const char *text = at->name_length > 0 ? at->name : ".";
  size_t length = at->name_length > 0 ? at->name_length : 1;
  if (napi_create_string_utf8(env, text, length, &name) != napi_ok) return false;
  add(o, keys, dir_key + 1, name);
  /* Invalid UTF-8 becomes U+FFFD in the name; the bytes keep it exact. */
  if (!utf8_is_valid((const unsigned char *)text, length)) {
    if (napi_create_buffer_copy(env, length, text, NULL, &bytes) != napi_ok) return false;
    add(o, keys, dir_key + 2, bytes);
  }
  return true;
}

static bool push_object(napi_env env, uint64_t mask, const place *from, const place *to, napi_value *keys, napi_value array, uint32_t *count) {
  object_props o;
  memset(&o, 0, sizeof o);
  napi_value value, object;
  if (napi_create_uint32(env, (uint32_t)mask, &value) != napi_ok) return false;
  add(&o, keys, FKEY_MASK, value);
  if (!add_place(env, &o, keys, FKEY_DIR, from) || !add_place(env, &o, keys, FKEY_DIR2, to)) return false;
  if (napi_create_object(env, &object) != napi_ok) return false;
  if (napi_define_properties(env, object, o.n, o.props) != napi_ok) return false;
  return napi_set_element(env, array, (*count)++, object) == napi_ok;
}

/* Reads an info record's handle and, for the *_NAME types, the name after it. */
static void read_place(const struct fanotify_event_info_fid *fid, const char *end, bool named, place *at) {
  const struct file_handle *handle = (const void *)fid->handle;
  const char *name = (const char *)handle->f_handle + handle->handle_bytes;
  if (name > end) return;
  at->handle = handle;
  at->name = name;
  at->name_length = named ? strnlen(name, (size_t)(end - name)) : 0;
}

bool fan_events_push(napi_env env, const char *bytes, size_t length, napi_value keys[FKEY_COUNT], napi_value array, uint32_t *count) {
  ssize_t left = (ssize_t)length;
  for (const struct fanotify_event_metadata *m = (const void *)bytes; FAN_EVENT_OK(m, left); m = FAN_EVENT_NEXT(m, left)) {
    if (m->fd >= 0) close(m->fd); /* not asked for; never leak one */
    if (m->vers != FANOTIFY_METADATA_VERSION || (m->mask & FAN_Q_OVERFLOW)) {
      if (!fan_events_push_overflow(env, keys, array, count)) return false;
      continue;
    }
    place from = {0}, to = {0};
    const char *end = (const char *)m + m->event_len;
    for (const char *p = (const char *)m + m->metadata_len; p + sizeof(struct fanotify_event_info_header) <= end;) {
      const struct fanotify_event_info_header *header = (const void *)p;
      if (header->len == 0 || p + header->len > end) break;
      const struct fanotify_event_info_fid *fid = (const void *)p;
      const char *record_end = p + header->len;
      switch (header->info_type) {
      case FAN_EVENT_INFO_TYPE_DFID_NAME:
      case FAN_EVENT_INFO_TYPE_OLD_DFID_NAME: read_place(fid, record_end, true, &from); break;
      case FAN_EVENT_INFO_TYPE_DFID: read_place(fid, record_end, false, &from); break;
      case FAN_EVENT_INFO_TYPE_NEW_DFID_NAME: read_place(fid, record_end, true, &to); break;
      default: break;
      }
      p = record_end;
    }
    if (!push_object(env, m->mask, &from, &to, keys, array, count)) return false;
  }
  return true;
}

bool fan_events_push_overflow(napi_env env, napi_value keys[FKEY_COUNT], napi_value array, uint32_t *count) {
  place none = {0};
  return push_object(env, FAN_Q_OVERFLOW, &none, &none, keys, array, count);
}
