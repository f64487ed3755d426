/* Kernel fanotify records (FAN_REPORT_DFID_NAME) as JavaScript objects (native/fan_events.c). */
#ifndef SERSYNC2_FAN_EVENTS_H
#define SERSYNC2_FAN_EVENTS_H

#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { FKEY_MASK, FKEY_DIR, FKEY_NAME, FKEY_NAME_BYTES, FKEY_DIR2, FKEY_NAME2, FKEY_NAME2_BYTES, FKEY_COUNT };

bool fan_events_keys(napi_env env, napi_value keys[FKEY_COUNT]);

/* Appends the events of one read, as events_push (native/events.h) does for inotify. */
bool fan_events_push(napi_env env, const char *bytes, size_t length, napi_value keys[FKEY_COUNT], napi_value array, uint32_t *count);

/* Appends {mask: FAN_Q_OVERFLOW}. */
bool fan_events_push_overflow(napi_env env, napi_value keys[FKEY_COUNT], napi_value array, uint32_t *count);

/* A directory's handle key: its handle type (4 bytes, host order) then the handle's bytes, one
 * latin1 character per byte, so that equal handles are equal strings in JavaScript. */
bool fan_handle_key(napi_env env, int type, const unsigned char *bytes, size_t length, napi_value *key);

#endif
