/*
 * watchChunk(paths, mask, statEach, count[, deeperMask, budget]) -> Promise<{ wds, rcs, counts, names }>
 *   paths: an array of strings and Buffers, or one string of `count` paths each ended by a NUL.
 *   The start-up walk's step off the event loop: on a libuv thread, a watch is added to every
 *   path, in order, then each directory watched is read for its subdirectories, in order (the
 *   order of addWatches then subdirectories(), so an entry made meanwhile is read or reported).
 *   wds: Int32Array, per path its wd or -errno. rcs: Int32Array, per path 0 when it was read, or
 *   the -errno of its read (or of its watch). counts: Uint32Array, per path how many names it
 *   has in names: an array of every name, path after path, each a string when it is UTF-8 and a
 *   Buffer of its bytes otherwise.
 *   With a budget above count, the job goes on below the chunk, breadth first, until it has
 *   `budget` directories in all: the names read so far are its queue, each batch of them watched
 *   (with deeperMask) before it is read, as the chunk was. Directory count + k is then the k-th
 *   name of `names`, and the arrays have one element per directory done; the names beyond them
 *   are the directories left for the next job.
 *
 * Why: a host with many configs walks all their trees at start, and the syscalls (a watch and a
 * stat per directory) were most of the main thread's time; on a thread, the walks of several
 * configs share the machine's cores, and the main thread builds the trees meanwhile.
 *
 * The thread adds watches through its own dup of the descriptor: if the handle is closed
 * meanwhile, the descriptor's number cannot be given to another file under the thread, and the
 * watches added late die with the dup. The paths are copied in, so JavaScript may reuse them.
 */
#define ADDON_NAME "inotify"
#define ADDON_NAPI_ERROR "ERR_INOTIFY_NAPI"
#include "napi_errors.h"
#include "inotify_state.h"
#include "names.h"
#include "watch_chunk.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

/* Directories a job does below its chunk, at most: its arrays are allocated for all of them. */
#define MAX_DEEPER 65536

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  int fd; /* a dup of the handle's, or -1 when the handle was closed */
  uint32_t mask;
  bool stat_each;
  fs_type_cache fs_types; /* a copy of the handle's: the reader may clear its own meanwhile */
  uint32_t count; /* the paths given */
  uint32_t deeper_mask;
  uint32_t budget; /* directories to do in all (count when the job does not go deeper) */
  uint32_t done; /* directories done: count, and those below them */
  char *paths; /* count paths, each ended by a NUL; then the path of each directory done below them */
  size_t paths_length;
  int32_t *wds;
  int32_t *rcs;
  uint32_t *counts;
  char *names; /* every directory's list, appended in turn by subdirectories_list() */
  size_t names_length;
} chunk_job;

static void free_job(chunk_job *job) {
  if (job->fd >= 0) close(job->fd);
  free(job->paths);
  free(job->wds);
  free(job->rcs);
  free(job->counts);
  free(job->names);
  free(job);
}

/* Watches directories `from` to `to` (their paths at `at`, one after another), then reads each. */
static void watch_then_read(chunk_job *job, uint32_t from, uint32_t to, const char *at, uint32_t mask) {
  const char *path = at;
  for (uint32_t i = from; i < to; i++, path += strlen(path) + 1) {
    int wd = job->fd < 0 ? -EBADF : inotify_add_watch(job->fd, path, mask);
    if (wd == -1 && job->fd >= 0) wd = -errno;
    job->wds[i] = wd;
  }
  path = at;
  for (uint32_t i = from; i < to; i++, path += strlen(path) + 1) {
    if (job->wds[i] < 0) {
      job->rcs[i] = job->wds[i];
      continue;
    }
    size_t before = job->names_length;
    int rc = subdirectories_list(path, job->stat_each, &job->fs_types, &job->names, &job->names_length);
    if (rc != 0) job->names_length = before; /* a read that failed midway lists nothing */
    for (size_t n = before; n < job->names_length; n++) job->counts[i] += job->names[n] == '\0';
    job->rcs[i] = rc;
  }
}

/* Appends `a` "/" `b` and a NUL to job->paths; false when out of memory. */
static bool append_path(chunk_job *job, size_t *capacity, size_t a_at, size_t b_at) {
  size_t a = strlen(job->paths + a_at), b = strlen(job->names + b_at), n = a + 1 + b + 1;
  if (job->paths_length + n > *capacity) {
    size_t grown_to = *capacity * 2 > job->paths_length + n ? *capacity * 2 : job->paths_length + n + 4096;
    char *grown = realloc(job->paths, grown_to);
    if (grown == NULL) return false;
    job->paths = grown;
    *capacity = grown_to;
  }
  char *to = job->paths + job->paths_length;
  memmove(to, job->paths + a_at, a);
  to[a] = '/';
  memcpy(to + a + 1, job->names + b_at, b + 1);
  job->paths_length += n;
  return true;
}

/* On a libuv thread: no Node-API calls here. */
static void execute(napi_env env, void *data) {
  (void)env;
  chunk_job *job = data;
  watch_then_read(job, 0, job->count, job->paths, job->mask);
  job->done = job->count;
  /* Below the chunk: `parent` is the directory whose names are being taken, `name_at` the next
   * name in job->names, `left` how many names of the parent's are left; path_at[i] is directory
   * i's path in job->paths. */
  if (job->budget <= job->count) return;
  size_t *path_at = malloc(job->budget * sizeof *path_at);
  if (path_at == NULL) return;
  size_t capacity = job->paths_length, at = 0;
  for (uint32_t i = 0; i < job->count; i++, at += strlen(job->paths + at) + 1) path_at[i] = at;
  uint32_t parent = 0, left = job->count ? job->counts[0] : 0;
  size_t name_at = 0;
  while (job->done < job->budget) {
    uint32_t from = job->done;
    size_t batch_at = job->paths_length;
    while (job->done < job->budget) {
      while (left == 0 && parent + 1 < from) left = job->counts[++parent];
      if (left == 0) break; /* every name read so far is done: the batch ends here */
      path_at[job->done] = job->paths_length;
      if (!append_path(job, &capacity, path_at[parent], name_at)) break;
      name_at += strlen(job->names + name_at) + 1;
      left--;
      job->done++;
    }
    if (job->done == from) break;
    watch_then_read(job, from, job->done, job->paths + batch_at, job->deeper_mask);
  }
  free(path_at);
}

/* A typed array of `count` elements of `size` bytes, copied from `from`. */
static bool copy_out(napi_env env, napi_typedarray_type type, size_t size, uint32_t count, const void *from, napi_value *out) {
  void *bytes = NULL;
  napi_value buffer;
  if (napi_create_arraybuffer(env, count * size, &bytes, &buffer) != napi_ok) return false;
  if (count) memcpy(bytes, from, count * size);
  return napi_create_typedarray(env, type, count, buffer, 0, out) == napi_ok;
}

static void complete(napi_env env, napi_status status, void *data) {
  chunk_job *job = data;
  napi_value result, wds, rcs, counts, names;
  bool ok = status == napi_ok && napi_create_object(env, &result) == napi_ok && copy_out(env, napi_int32_array, sizeof(int32_t), job->done, job->wds, &wds) &&
            copy_out(env, napi_int32_array, sizeof(int32_t), job->done, job->rcs, &rcs) && copy_out(env, napi_uint32_array, sizeof(uint32_t), job->done, job->counts, &counts) &&
            names_to_array(env, job->names, job->names_length, &names) &&
            napi_set_named_property(env, result, "wds", wds) == napi_ok && napi_set_named_property(env, result, "rcs", rcs) == napi_ok &&
            napi_set_named_property(env, result, "counts", counts) == napi_ok && napi_set_named_property(env, result, "names", names) == napi_ok;
  if (ok) napi_resolve_deferred(env, job->deferred, result);
  else if (status != napi_cancelled) {
    napi_value message, error;
    napi_create_string_utf8(env, "inotify: watchChunk: could not create its result", NAPI_AUTO_LENGTH, &message);
    napi_create_error(env, NULL, message, &error);
    napi_reject_deferred(env, job->deferred, error);
  }
  napi_delete_async_work(env, job->work);
  free_job(job);
}

/* The paths as one string, each ended by a NUL (one copy instead of one per path); -EINVAL when
 * it does not hold job->count of them (a path with a NUL inside). */
static int copy_joined(napi_env env, napi_value text, chunk_job *job) {
  size_t length = 0;
  if (napi_get_value_string_utf8(env, text, NULL, 0, &length) != napi_ok) return -EFAULT;
  job->paths = malloc(length + 1);
  if (job->paths == NULL) return -ENOMEM;
  if (napi_get_value_string_utf8(env, text, job->paths, length + 1, &length) != napi_ok) return -EFAULT;
  uint32_t ends = 0;
  for (size_t i = 0; i < length; i++) ends += job->paths[i] == '\0';
  bool ended = length > 0 && job->paths[length - 1] == '\0';
  job->paths_length = length;
  return ends == job->count && (ended || job->count == 0) ? 0 : -EINVAL;
}

/* Copies every path of the array into job->paths; 0 or -errno (a path ino_get_path refuses). */
static int copy_paths(napi_env env, ino_state *state, napi_value array, chunk_job *job) {
  size_t capacity = 0;
  for (uint32_t i = 0; i < job->count; i++) {
    napi_value item;
    if (napi_get_element(env, array, i, &item) != napi_ok) return -EFAULT;
    int rc = ino_get_path(env, state, item);
    if (rc != 0) return rc;
    size_t n = strlen(state->path) + 1;
    if (job->paths_length + n > capacity) {
      capacity = capacity * 2 > job->paths_length + n ? capacity * 2 : job->paths_length + n + 4096;
      char *grown = realloc(job->paths, capacity);
      if (grown == NULL) return -ENOMEM;
      job->paths = grown;
    }
    memcpy(job->paths + job->paths_length, state->path, n);
    job->paths_length += n;
  }
  return 0;
}

napi_value ino_watch_chunk(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6], promise, name;
  ino_state *state = ino_unwrap(env, info, &argc, argv);
  if (state == NULL) return NULL;
  bool is_array = false;
  napi_valuetype type = napi_undefined;
  chunk_job *job = calloc(1, sizeof *job);
  if (job == NULL) {
    napi_throw_error(env, ADDON_NAPI_ERROR, "inotify: watchChunk: out of memory");
    return NULL;
  }
  job->fd = -1;
  if (argc < 4 || napi_typeof(env, argv[0], &type) != napi_ok || napi_is_array(env, argv[0], &is_array) != napi_ok || (!is_array && type != napi_string) ||
      napi_get_value_uint32(env, argv[1], &job->mask) != napi_ok || napi_get_value_bool(env, argv[2], &job->stat_each) != napi_ok ||
      napi_get_value_uint32(env, argv[3], &job->count) != napi_ok) {
    free_job(job);
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "watchChunk(paths: Array | string, mask: number, statEach: boolean, count: number[, deeperMask: number, budget: number])");
    return NULL;
  }
  job->budget = job->count;
  if (argc >= 6 && (napi_get_value_uint32(env, argv[4], &job->deeper_mask) != napi_ok || napi_get_value_uint32(env, argv[5], &job->budget) != napi_ok)) {
    free_job(job);
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "watchChunk: deeperMask and budget must be numbers");
    return NULL;
  }
  if (job->budget < job->count) job->budget = job->count;
  if (job->budget > job->count + MAX_DEEPER) job->budget = job->count + MAX_DEEPER;
  uint32_t length = job->count;
  if (is_array && (napi_get_array_length(env, argv[0], &length) != napi_ok || length != job->count)) {
    free_job(job);
    napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", "watchChunk: count is not the number of paths");
    return NULL;
  }
  int rc = is_array ? copy_paths(env, state, argv[0], job) : copy_joined(env, argv[0], job);
  if (rc != 0) {
    free_job(job);
    if (rc == -EFAULT) throw_last_napi_error(env, "watchChunk paths");
    else throw_errno(env, -rc, "watchChunk", NULL);
    return NULL;
  }
  size_t n = job->budget ? job->budget : 1;
  job->wds = malloc(n * sizeof *job->wds);
  job->rcs = malloc(n * sizeof *job->rcs);
  job->counts = calloc(n, sizeof *job->counts);
  if (job->wds == NULL || job->rcs == NULL || job->counts == NULL) {
    free_job(job);
    napi_throw_error(env, ADDON_NAPI_ERROR, "inotify: watchChunk: out of memory");
    return NULL;
  }
  if (state->fd >= 0) {
    job->fd = fcntl(state->fd, F_DUPFD_CLOEXEC, 0);
    if (job->fd < 0) {
      free_job(job);
      throw_errno(env, errno, "dup", NULL);
      return NULL;
    }
  }
  job->fs_types = state->fs_types;
  if (napi_create_promise(env, &job->deferred, &promise) != napi_ok || napi_create_string_utf8(env, "watchChunk", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_async_work(env, NULL, name, execute, complete, job, &job->work) != napi_ok || napi_queue_async_work(env, job->work) != napi_ok) {
    free_job(job);
    throw_last_napi_error(env, "watchChunk async work");
    return NULL;
  }
  return promise;
}
