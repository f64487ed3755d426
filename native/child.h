/* The child's side of spawnShell, without Node-API (native/child.c): start, watch, reap. */
#ifndef SERSYNC2_CHILD_H
#define SERSYNC2_CHILD_H

#include <stdbool.h>
#include <sys/types.h>

#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
#define HAVE_ADDCLOSEFROM 1 /* posix_spawn_file_actions_addclosefrom_np: glibc 2.34+ */
#else
#define HAVE_ADDCLOSEFROM 0 /* otherwise only O_CLOEXEC keeps descriptors from the child */
#endif

/* Node sets FD_CLOEXEC on its descriptors 0, 1 and 2. adddup2(fd, fd) clears it in the child
 * (Austin Group issue 411), which glibc does since 2.29; before, the child would lose its stdout
 * and stderr, so spawnShell refuses (ENOSYS) and the caller uses child_process. */
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 29))
#define HAVE_DUP2_CLEARS_CLOEXEC 1
#else
#define HAVE_DUP2_CLEARS_CLOEXEC 0
#endif

/* A descriptor that becomes readable when the child exits; -1 with errno set. */
int child_pidfd_open(pid_t pid);

/* 0 when pidfd_open works here, else the errno that says it does not (probed once per process). */
int child_pidfd_unavailable(void);

/* Collects the child's status without blocking: 1 when collected, 0 while it runs, -errno. */
int child_reap(pid_t pid, int *wstatus);

/* For a child started but that cannot be watched: stop it and collect it before reporting. */
void child_abandon(pid_t pid);

/* posix_spawn(p) of argv: stdin from /dev/null, stdout and stderr inherited, other descriptors
 * closed (glibc 2.34+), default signal dispositions, an empty mask; 0 or an errno. */
int child_spawn_shell(const char *shell, char *const argv[], pid_t *pid);

#endif
