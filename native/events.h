/* Kernel inotify records as JavaScript objects (native/events.c). */
#ifndef SERSYNC2_EVENTS_H
#define SERSYNC2_EVENTS_H

#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { KEY_WD, KEY_MASK, KEY_COOKIE, KEY_NAME, KEY_NAME_BYTES, KEY_COUNT };

/* The property names, created once per wake-up; false when a Node-API call failed. */
bool events_keys(napi_env env, napi_value keys[KEY_COUNT]);

/* Appends the events of one read to `array` from index *count on. False when a Node-API call
 * failed: the events of this read are then lost, and the caller must say so (an overflow). */
bool events_push(napi_env env, const char *bytes, size_t length, napi_value keys[KEY_COUNT], napi_value array, uint32_t *count);

/* True when a record of these bytes has one of the mask's bits. */
bool events_any(const char *bytes, size_t length, uint32_t mask);

/* Appends {wd: -1, mask: IN_Q_OVERFLOW, cookie: 0}, what the kernel sends when it dropped events. */
bool events_push_overflow(napi_env env, napi_value keys[KEY_COUNT], napi_value array, uint32_t *count);

#endif
