/*
 * A cheap spawn of `shell -c command` for Node.js: plain C on Node-API (NAPI_VERSION 8) and libuv,
 * Linux only (wrapped by lib/runner/nativeSpawn.ts).
 *
 * Why: child_process.spawn fork()s the whole Node process (~4 ms at 60 MB RSS); glibc's posix_spawn
 * uses clone(CLONE_VM | CLONE_VFORK), whose cost does not grow with the parent's memory (~0.4 ms).
 *
 *   spawnShell(shell, command, onExit) -> pid
 *       Runs argv [shell, "-c", command] with the current `environ` (which Node keeps in step with
 *       assignments to process.env on the main thread). shell is a path, or a name searched in
 *       PATH (posix_spawnp); command is a string (UTF-8) or a Buffer (its exact bytes).
 *       The child: stdin from /dev/null, stdout and stderr inherited (Node marks them FD_CLOEXEC:
 *       the child's file actions clear that), every other descriptor closed (glibc 2.34+),
 *       every signal back to its default disposition and an empty signal mask (Node ignores
 *       SIGPIPE, and an ignored disposition survives exec). Same session and process group.
 *       onExit(code, signal) is called once, from the event loop: code is the exit status (signal
 *       null), or signal is the number of the signal that killed it (code null); both null when
 *       the status could not be collected.
 *       Throws an Error with code = errno name (ENOENT, EACCES...) and syscall: posix_spawn's exec
 *       failures come back as its return value. A shell file without #! gives ENOEXEC (execvp, and
 *       so child_process, would run it with /bin/sh instead). Throws code ENOSYS (syscall pidfd_open) before
 *       starting anything when the kernel has no pidfd_open (Linux < 5.3, or a seccomp filter), or
 *       when built with glibc < 2.29 (see HAVE_DUP2_CLEARS_CLOEXEC).
 *   closesDescriptors: true when the child's descriptors >= 3 are closed explicitly (glibc 2.34+);
 *       otherwise only FD_CLOEXEC keeps them from the child (libuv and Node set it on theirs).
 *
 * Reaping. libuv's SIGCHLD handler only waitpid()s the pids of its own uv_process_t handles, so the
 * addon reaps its children itself: a pidfd (pidfd_open) becomes readable when the child exits; a
 * uv_poll_t on it wakes the loop, waitpid(pid, WNOHANG) collects the status. Like a child_process,
 * the poll handle keeps the loop alive while the child runs, and the callback is held by a strong
 * reference until it is called.
 *
 * Lifetimes. One spawn_child allocation per child, owned by libuv from uv_close() until its close
 * callback frees it. An async cleanup hook closes the handle when the environment (a worker, or
 * the process) is torn down; the child then goes on without a reaper, as Node's own children do.
 */
#define ADDON_NAME "spawn"
#define ADDON_NAPI_ERROR "ERR_SPAWN_NAPI"
#include "napi_errors.h"

#include "child.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
  uv_poll_t poll; /* first member: the uv handle pointer is the spawn_child pointer */
  napi_env env;
  pid_t pid;
  int pidfd; /* -1 once closed */
  bool closing; /* handed to uv_close */
  napi_ref callback; /* onExit; NULL once called or released */
  napi_async_context async_context; /* NULL once destroyed */
  napi_async_cleanup_hook_handle cleanup_hook; /* NULL when not registered */
} spawn_child;

/* ---- closing ------------------------------------------------------------------------------- */

static void on_closed(uv_handle_t *handle) {
  spawn_child *child = (spawn_child *)handle;
  if (child->cleanup_hook != NULL) napi_remove_async_cleanup_hook(child->cleanup_hook);
  free(child);
}

/* Stops watching and closes the pidfd; the close callback frees the child. Touches no JS value. */
static void close_native(spawn_child *child) {
  if (child->closing) return;
  child->closing = true;
  uv_poll_stop(&child->poll); /* removes the pidfd from epoll before it is closed */
  uv_close((uv_handle_t *)&child->poll, on_closed);
  if (child->pidfd >= 0) {
    close(child->pidfd);
    child->pidfd = -1;
  }
}

static void release_js(spawn_child *child) {
  if (child->callback != NULL) {
    napi_delete_reference(child->env, child->callback);
    child->callback = NULL;
  }
  if (child->async_context != NULL) {
    napi_async_destroy(child->env, child->async_context);
    child->async_context = NULL;
  }
}

/* Environment teardown (worker exit, process exit): close so the loop can be closed. */
static void on_env_cleanup(napi_async_cleanup_hook_handle hook, void *data) {
  (void)hook;
  spawn_child *child = data;
  /* on_closed removes the hook; if a close is already under way, it will. */
  if (child->closing) return;
  int wstatus;
  child_reap(child->pid, &wstatus); /* one last try: spares a zombie if it has just exited */
  release_js(child); /* frees the native parts; calls no JavaScript */
  close_native(child);
}

/* ---- exit ---------------------------------------------------------------------------------- */

static void on_exit_readable(uv_poll_t *handle, int status, int events) {
  (void)events;
  spawn_child *child = (spawn_child *)handle;
  if (child->closing) return;
  int wstatus = 0;
  int reaped = child_reap(child->pid, &wstatus);
  if (reaped == 0 && status >= 0) return; /* not yet: the poll is level-triggered */
  napi_env env = child->env;
  close_native(child);

  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) == napi_ok) {
    napi_value argv[2], callback = NULL, global;
    bool ok = napi_get_null(env, &argv[0]) == napi_ok && napi_get_null(env, &argv[1]) == napi_ok;
    if (ok && reaped == 1 && WIFEXITED(wstatus)) ok = napi_create_int32(env, WEXITSTATUS(wstatus), &argv[0]) == napi_ok;
    if (ok && reaped == 1 && WIFSIGNALED(wstatus)) ok = napi_create_int32(env, WTERMSIG(wstatus), &argv[1]) == napi_ok;
    if (ok && child->callback != NULL && napi_get_reference_value(env, child->callback, &callback) == napi_ok && callback != NULL &&
        napi_get_global(env, &global) == napi_ok) {
      napi_make_callback(env, child->async_context, global, callback, 2, argv, NULL);
      rethrow_pending(env);
    }
    napi_close_handle_scope(env, scope);
  }
  release_js(child);
}

/* ---- spawnShell ---------------------------------------------------------------------------- */

/* A string (UTF-8) or a Buffer as a malloc'd NUL-terminated copy; NULL with an exception thrown. */
static char *get_bytes(napi_env env, napi_value value, const char *what, size_t *length_out) {
  napi_valuetype type;
  bool is_buffer = false;
  if (napi_typeof(env, value, &type) != napi_ok) return NULL;
  if (type != napi_string && (napi_is_buffer(env, value, &is_buffer) != napi_ok || !is_buffer)) {
    char message[128];
    snprintf(message, sizeof message, "the %s must be a string or a Buffer", what);
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", message);
    return NULL;
  }
  size_t length = 0;
  char *bytes = NULL;
  if (type == napi_string) {
    if (napi_get_value_string_utf8(env, value, NULL, 0, &length) != napi_ok) return NULL;
    bytes = malloc(length + 1);
    if (bytes != NULL && napi_get_value_string_utf8(env, value, bytes, length + 1, &length) != napi_ok) {
      free(bytes);
      return NULL;
    }
  } else {
    void *data = NULL;
    if (napi_get_buffer_info(env, value, &data, &length) != napi_ok) return NULL;
    bytes = malloc(length + 1);
    if (bytes != NULL) {
      if (length > 0) memcpy(bytes, data, length);
      bytes[length] = '\0';
    }
  }
  if (bytes == NULL) {
    throw_errno(env, ENOMEM, "malloc", NULL);
    return NULL;
  }
  if (memchr(bytes, '\0', length) != NULL) {
    char message[128];
    snprintf(message, sizeof message, "the %s must not contain null bytes", what);
    napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", message);
    free(bytes);
    return NULL;
  }
  if (length_out != NULL) *length_out = length;
  return bytes;
}


static napi_value js_spawn_shell(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], result, name;
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  napi_valuetype type = napi_undefined;
  if (argc >= 3) NAPI_CALL(env, napi_typeof(env, argv[2], &type));
  if (type != napi_function) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "onExit must be a function");
    return NULL;
  }
  NAPI_CALL(env, napi_typeof(env, argv[0], &type));
  if (type != napi_string) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "the shell must be a string");
    return NULL;
  }
  int pidfd_unavailable = child_pidfd_unavailable();
  if (pidfd_unavailable != 0 || !HAVE_DUP2_CLEARS_CLOEXEC) {
    throw_errno(env, ENOSYS, pidfd_unavailable != 0 ? "pidfd_open" : "posix_spawn_file_actions_adddup2", NULL);
    return NULL;
  }
  uv_loop_t *loop;
  NAPI_CALL(env, napi_get_uv_event_loop(env, &loop));

  size_t shell_length = 0;
  char *shell = get_bytes(env, argv[0], "shell", &shell_length);
  if (shell == NULL) return NULL;
  char *command = get_bytes(env, argv[1], "command", NULL);
  if (command == NULL) {
    free(shell);
    return NULL;
  }
  if (shell_length == 0) {
    free(shell);
    free(command);
    throw_errno(env, ENOENT, "posix_spawn", "");
    return NULL;
  }
  spawn_child *child = calloc(1, sizeof *child);
  if (child == NULL) {
    free(shell);
    free(command);
    throw_errno(env, ENOMEM, "malloc", NULL);
    return NULL;
  }
  child->env = env;
  child->pidfd = -1;

  /* Everything that can fail without side effects comes before the spawn. */
  napi_status status = napi_create_reference(env, argv[2], 1, &child->callback);
  if (status == napi_ok) status = napi_create_string_utf8(env, "SPAWN", NAPI_AUTO_LENGTH, &name);
  if (status == napi_ok) status = napi_async_init(env, NULL, name, &child->async_context);
  if (status != napi_ok) {
    throw_last_napi_error(env, "napi_async_init");
    release_js(child);
    free(child);
    free(shell);
    free(command);
    return NULL;
  }

  char dash_c[] = "-c";
  char *child_argv[] = {shell, dash_c, command, NULL};
  const char *failed = NULL;
  bool polling = false; /* the poll handle exists: only uv_close may free the child */
  int err = child_spawn_shell(shell, child_argv, &child->pid);
  if (err != 0) {
    failed = "posix_spawn";
  } else {
    child->pidfd = child_pidfd_open(child->pid);
    if (child->pidfd < 0) {
      err = errno;
      failed = "pidfd_open";
    } else if ((err = -uv_poll_init(loop, &child->poll, child->pidfd)) != 0) {
      failed = "uv_poll_init";
    } else {
      polling = true;
      if (napi_add_async_cleanup_hook(env, on_env_cleanup, child, &child->cleanup_hook) != napi_ok) {
        child->cleanup_hook = NULL;
        err = ENOMEM;
        failed = "napi_add_async_cleanup_hook";
      } else if ((err = -uv_poll_start(&child->poll, UV_READABLE, on_exit_readable)) != 0) {
        failed = "uv_poll_start";
      }
    }
    if (failed != NULL) child_abandon(child->pid);
  }
  if (failed != NULL) {
    release_js(child);
    if (polling) {
      close_native(child); /* on_closed frees it (and removes the hook) */
    } else {
      if (child->pidfd >= 0) close(child->pidfd);
      free(child);
    }
    throw_errno(env, err, failed, strcmp(failed, "posix_spawn") == 0 ? shell : NULL);
    free(shell);
    free(command);
    return NULL;
  }
  free(shell);
  free(command);
  NAPI_CALL(env, napi_create_int32(env, child->pid, &result));
  return result;
}

/* ---- module -------------------------------------------------------------------------------- */

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_value fn, value;
  NAPI_CALL(env, napi_create_function(env, "spawnShell", NAPI_AUTO_LENGTH, js_spawn_shell, NULL, &fn));
  NAPI_CALL(env, napi_set_named_property(env, exports, "spawnShell", fn));
  NAPI_CALL(env, napi_get_boolean(env, HAVE_ADDCLOSEFROM, &value));
  NAPI_CALL(env, napi_set_named_property(env, exports, "closesDescriptors", value));
  return exports;
}
