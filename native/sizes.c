/*
 * largeFiles(root, list, threshold) -> Promise<Uint32Array>
 *   root: the watch directory (string); list: a Buffer of paths relative to it, each ended by a
 *   NUL; threshold: bytes. Resolves to the indices (in list order) of the paths that are regular
 *   files of at least threshold bytes, by fstatat(AT_SYMLINK_NOFOLLOW) under root: a symlink is
 *   sent as a link, and a path gone (ENOENT, as most are in a storm) is simply not large.
 *
 * Why native: batch mode asks this of every file of every batch. One call and one libuv work
 * item per batch keep the stats off the event loop, where a stat per path cost about 6 us with
 * the Stats object Node builds (and an fs.lstat per path about 10 us of the loop's time to issue).
 * The buffers are copied in, so JavaScript may reuse them at once.
 */
#define ADDON_NAME "inotify"
#define ADDON_NAPI_ERROR "ERR_INOTIFY_NAPI"
#include "napi_errors.h"
#include "sizes.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  char *root;
  char *list;
  size_t length;
  double threshold;
  uint32_t *found;
  uint32_t count;
  int error; /* a failure to open root or to allocate: no path is large then */
} sizes_job;

static void free_job(sizes_job *job) {
  free(job->root);
  free(job->list);
  free(job->found);
  free(job);
}

/* On a libuv thread: no Node-API calls here. */
static void execute(napi_env env, void *data) {
  (void)env;
  sizes_job *job = data;
  int dir = open(job->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) {
    job->error = errno;
    return;
  }
  size_t paths = 0;
  for (size_t i = 0; i < job->length; i++) paths += job->list[i] == '\0';
  job->found = malloc((paths ? paths : 1) * sizeof *job->found);
  if (job->found == NULL) job->error = ENOMEM;
  uint32_t index = 0;
  for (size_t start = 0; job->found != NULL && start < job->length; index++) {
    const char *path = job->list + start;
    size_t len = strlen(path);
    struct stat st;
    if (len > 0 && fstatat(dir, path, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) && (double)st.st_size >= job->threshold) job->found[job->count++] = index;
    start += len + 1;
  }
  close(dir);
}

static void complete(napi_env env, napi_status status, void *data) {
  sizes_job *job = data;
  napi_value buffer, result;
  bool ok = status == napi_ok && job->error == 0;
  uint32_t count = ok ? job->count : 0;
  void *bytes = NULL;
  if (napi_create_arraybuffer(env, count * sizeof(uint32_t), &bytes, &buffer) == napi_ok && napi_create_typedarray(env, napi_uint32_array, count, buffer, 0, &result) == napi_ok) {
    if (count) memcpy(bytes, job->found, count * sizeof(uint32_t));
    napi_resolve_deferred(env, job->deferred, result);
  } else {
    napi_value message, error;
    napi_create_string_utf8(env, "inotify: largeFiles: could not create its result", NAPI_AUTO_LENGTH, &message);
    napi_create_error(env, NULL, message, &error);
    napi_reject_deferred(env, job->deferred, error);
  }
  napi_delete_async_work(env, job->work);
  free_job(job);
}

static napi_value js_large_files(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], promise, name;
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  bool is_buffer = false;
  if (argc < 3 || napi_is_buffer(env, argv[1], &is_buffer) != napi_ok || !is_buffer) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "largeFiles(root: string, list: Buffer, threshold: number)");
    return NULL;
  }
  sizes_job *job = calloc(1, sizeof *job);
  if (job == NULL) {
    napi_throw_error(env, ADDON_NAPI_ERROR, "inotify: largeFiles: out of memory");
    return NULL;
  }
  size_t root_length = 0;
  void *list = NULL;
  if (napi_get_value_string_utf8(env, argv[0], NULL, 0, &root_length) != napi_ok || napi_get_buffer_info(env, argv[1], &list, &job->length) != napi_ok || napi_get_value_double(env, argv[2], &job->threshold) != napi_ok) {
    free_job(job);
    throw_last_napi_error(env, "largeFiles arguments");
    return NULL;
  }
  job->root = malloc(root_length + 1);
  job->list = malloc(job->length ? job->length : 1);
  if (job->root == NULL || job->list == NULL) {
    free_job(job);
    napi_throw_error(env, ADDON_NAPI_ERROR, "inotify: largeFiles: out of memory");
    return NULL;
  }
  napi_get_value_string_utf8(env, argv[0], job->root, root_length + 1, &root_length);
  if (job->length) memcpy(job->list, list, job->length);
  if (napi_create_promise(env, &job->deferred, &promise) != napi_ok || napi_create_string_utf8(env, "largeFiles", NAPI_AUTO_LENGTH, &name) != napi_ok || napi_create_async_work(env, NULL, name, execute, complete, job, &job->work) != napi_ok || napi_queue_async_work(env, job->work) != napi_ok) {
    free_job(job);
    throw_last_napi_error(env, "largeFiles async work");
    return NULL;
  }
  return promise;
}

napi_value sizes_register(napi_env env, napi_value exports) {
  napi_value fn;
  NAPI_CALL(env, napi_create_function(env, "largeFiles", NAPI_AUTO_LENGTH, js_large_files, NULL, &fn));
  NAPI_CALL(env, napi_set_named_property(env, exports, "largeFiles", fn));
  return exports;
}
