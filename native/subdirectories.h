/* A directory's subdirectories, read natively (native/subdirectories.c). No JavaScript value. */
#ifndef SERSYNC2_SUBDIRECTORIES_H
#define SERSYNC2_SUBDIRECTORIES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define FS_TYPE_CACHE_SIZE 16

/* Which devices keep find(1)'s link count, per inotify instance. A device number names one file
 * system only while it is mounted (an unmounted one's number may be given to the next mount), so
 * the reader clears the cache on IN_UNMOUNT and IN_Q_OVERFLOW (which may have hidden one): the
 * caller watches a directory before it lists it, so an unmount of a listed file system is seen. */
typedef struct {
  struct {
    dev_t dev;
    bool keeps;
  } entries[FS_TYPE_CACHE_SIZE];
  size_t count;
} fs_type_cache;

static inline void fs_type_cache_clear(fs_type_cache *cache) {
  cache->count = 0;
}

/* Appends the names of path's subdirectories, each ended by a NUL, to *list at *length (grown with
 * realloc; NULL and 0 for a new list); 0 or -errno, when some may have been appended already.
 * Types come from the directory entry (fstatat when it has none, or always with stat_each). */
int subdirectories_list(const char *path, bool stat_each, fs_type_cache *cache, char **list, size_t *length);

#endif
