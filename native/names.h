/* A directory listing's names as JavaScript values (native/names.c). */
#ifndef SERSYNC2_NAMES_H
#define SERSYNC2_NAMES_H

#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>

/* `length` bytes of names, each ended by a NUL, as an array: a name that is UTF-8 as a string, any
 * other as a Buffer of its exact bytes (a PathName). */
bool names_to_array(napi_env env, const char *names, size_t length, napi_value *out);

#endif
