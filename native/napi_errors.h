/*
 * Error helpers shared by the addons (native/inotify.c, native/spawn.c). Each file defines
 * ADDON_NAME ("inotify") and ADDON_NAPI_ERROR ("ERR_INOTIFY_NAPI") before including this.
 */
#ifndef SERSYNC2_NAPI_ERRORS_H
#define SERSYNC2_NAPI_ERRORS_H

#include <node_api.h>
#include <uv.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#if !defined(ADDON_NAME) || !defined(ADDON_NAPI_ERROR)
#error "define ADDON_NAME and ADDON_NAPI_ERROR before including napi_errors.h"
#endif

/* Throws the last Node-API error, unless an exception is already pending. */
static inline void throw_last_napi_error(napi_env env, const char *what) {
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) == napi_ok && pending) return;
  const napi_extended_error_info *info = NULL;
  napi_get_last_error_info(env, &info);
  char message[256];
  snprintf(message, sizeof message, ADDON_NAME ": %s failed: %s", what, info && info->error_message ? info->error_message : "Node-API error");
  napi_throw_error(env, ADDON_NAPI_ERROR, message);
}

#define NAPI_CALL(env, call)                \
  do {                                      \
    if ((call) != napi_ok) {                \
      throw_last_napi_error((env), #call);  \
      return NULL;                          \
    }                                       \
  } while (0)

/* The errno's name: glibc's (it knows ENOEXEC, libuv does not), else libuv's. */
static inline const char *errno_name(int err) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
  const char *name = strerrorname_np(err);
  if (name != NULL) return name;
#endif
  return uv_err_name(-err);
}

/* Throws an Error shaped like Node's system errors: code, errno (negative), syscall, and path when not NULL. */
static inline void throw_errno(napi_env env, int err, const char *syscall, const char *path) {
  char message[512], description[128];
  const char *name = errno_name(err);
  snprintf(message, sizeof message, "%s: %s, %s%s%s%s", name, strerror_r(err, description, sizeof description), syscall, path ? " '" : "", path ? path : "", path ? "'" : "");
  napi_value code, text, error, value;
  if (napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code) != napi_ok ||
      napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &text) != napi_ok ||
      napi_create_error(env, code, text, &error) != napi_ok) {
    napi_throw_error(env, NULL, message);
    return;
  }
  if (napi_create_int32(env, -err, &value) == napi_ok) napi_set_named_property(env, error, "errno", value);
  if (napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &value) == napi_ok) napi_set_named_property(env, error, "syscall", value);
  if (path != NULL && napi_create_string_utf8(env, path, NAPI_AUTO_LENGTH, &value) == napi_ok) napi_set_named_property(env, error, "path", value);
  napi_throw(env, error);
}

/* If the JS callback threw, make it an uncaught exception, as for any other callback. */
static inline void rethrow_pending(napi_env env) {
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) != napi_ok || !pending) return;
  napi_value exception;
  if (napi_get_and_clear_last_exception(env, &exception) == napi_ok) napi_fatal_exception(env, exception);
}

#endif
