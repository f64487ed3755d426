/*
 * The state of one InotifyHandle or FanotifyHandle, shared by the files of the inotify addon:
 * inotify.c and fanotify.c (the classes), handle.c (what they share), lifetime.c (closing),
 * reader.c (events to JavaScript), path_arg.c (path arguments).
 */
#ifndef SERSYNC2_INOTIFY_STATE_H
#define SERSYNC2_INOTIFY_STATE_H

#include "subdirectories.h"

#include <node_api.h>
#include <uv.h>

#include <stdbool.h>
#include <stddef.h>

/* Bytes per read(2). One wake-up reads until EAGAIN, but at most MAX_READS_PER_WAKEUP times so a
 * flood cannot starve the loop; uv_poll is level-triggered, so the rest comes on the next turn. */
#define READ_BUFFER_SIZE (64 * 1024)
#define MAX_READS_PER_WAKEUP 256

typedef struct ino_state ino_state;

typedef struct {
  uv_poll_t poll; /* first member: the uv handle pointer is the ino_poll pointer */
  napi_async_cleanup_hook_handle cleanup_hook; /* NULL when not registered */
  ino_state *state; /* NULL once the state has let go of the handle */
} ino_poll;

struct ino_state {
  napi_env env;
  int fd; /* -1 once closed */
  bool fanotify; /* which kernel's records the descriptor reads (native/reader.c) */
  int mount_fd; /* fanotify: a directory of the marked filesystem, for open_by_handle_at; else -1 */
  char *root_key; /* fanotify: the root's handle key (native/fanotify.c) */
  size_t root_key_length;
  bool closed;
  bool strong; /* self and callback are strong references (open and persistent) */
  bool overflow_pending; /* events were read but not delivered: JavaScript is owed an overflow */
  bool fail_next_batch; /* test hook (failNextBatch): the next read's events fail to become objects */
  ino_poll *poll; /* NULL once handed to uv_close */
  napi_ref self; /* the JS object */
  napi_ref callback; /* onEvents; NULL once closed */
  napi_async_context async_context;
  char *buffer; /* READ_BUFFER_SIZE bytes, aligned for struct inotify_event */
  char *path; /* scratch buffer for NUL-terminated paths */
  size_t path_capacity;
  fs_type_cache fs_types; /* for subdirectories(); cleared by the reader on IN_UNMOUNT */
};

/* handle.c: what both classes share */
ino_state *ino_unwrap(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv);
ino_state *ino_open(napi_env env, napi_value self, int fd, bool fanotify, napi_value callback, bool persistent, const char *resource);
/* Defines class `name` on exports with its own methods (up to 6), close() and failNextBatch(). */
bool ino_define_class(napi_env env, napi_value exports, const char *name, napi_callback constructor, const napi_property_descriptor *own, size_t own_count);

/* fanotify.c: defines FanotifyHandle on the exports */
napi_value fanotify_register(napi_env env, napi_value exports);

/* lifetime.c */
void ino_close_native(ino_state *state); /* stops reading, closes the fd; touches no JS value */
void ino_close_state(ino_state *state); /* close() from JavaScript: idempotent */
void ino_finalize(napi_env env, void *data, void *hint); /* napi_wrap's finalizer */
void ino_on_env_cleanup(napi_async_cleanup_hook_handle hook, void *data);

/* reader.c: the uv_poll callback */
void ino_on_readable(uv_poll_t *handle, int status, int events);

/* path_arg.c: a string (UTF-8) or a Buffer (raw bytes) into state->path, NUL-terminated.
 * Returns 0, -EINVAL (another type, or a NUL byte inside), -ENOMEM, or -EFAULT (N-API failed). */
int ino_get_path(napi_env env, ino_state *state, napi_value value);

#endif
