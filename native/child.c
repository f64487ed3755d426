/*
 * The child's side of spawnShell (native/spawn.c holds the Node-API side): posix_spawn of the
 * shell, its pidfd, and reaping. Plain POSIX and Linux calls, no JavaScript value.
 */
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434 /* the same number on every architecture */
#endif

int child_pidfd_open(pid_t pid) {
  return (int)syscall(SYS_pidfd_open, pid, 0);
}

static int pidfd_unavailable;
static pthread_once_t pidfd_probe_once = PTHREAD_ONCE_INIT;

static void probe_pidfd(void) {
  int fd = child_pidfd_open(getpid());
  if (fd >= 0) close(fd);
  else if (errno == ENOSYS || errno == EPERM || errno == EACCES) pidfd_unavailable = errno; /* EPERM: seccomp */
}

int child_pidfd_unavailable(void) {
  pthread_once(&pidfd_probe_once, probe_pidfd);
  return pidfd_unavailable;
}

int child_reap(pid_t pid, int *wstatus) {
  for (;;) {
    pid_t r = waitpid(pid, wstatus, WNOHANG);
    if (r == pid) return 1;
    if (r == 0) return 0;
    if (errno != EINTR) return -errno;
  }
}

void child_abandon(pid_t pid) {
  int wstatus;
  kill(pid, SIGKILL);
  while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {}
}

int child_spawn_shell(const char *shell, char *const argv[], pid_t *pid) {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  sigset_t all, none;
  int rc = posix_spawn_file_actions_init(&actions);
  if (rc != 0) return rc;
  rc = posix_spawnattr_init(&attr);
  if (rc != 0) {
    posix_spawn_file_actions_destroy(&actions);
    return rc;
  }
  sigfillset(&all);
  sigemptyset(&none);
  if (rc == 0) rc = posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  if (rc == 0) rc = posix_spawn_file_actions_adddup2(&actions, 1, 1); /* inherited: clears FD_CLOEXEC */
  if (rc == 0) rc = posix_spawn_file_actions_adddup2(&actions, 2, 2);
#if HAVE_ADDCLOSEFROM
  if (rc == 0) rc = posix_spawn_file_actions_addclosefrom_np(&actions, 3);
#endif
  if (rc == 0) rc = posix_spawnattr_setsigdefault(&attr, &all);
  if (rc == 0) rc = posix_spawnattr_setsigmask(&attr, &none);
  if (rc == 0) rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  if (rc == 0) {
    /* A name without a slash is searched in PATH, as child_process does. */
    if (strchr(shell, '/') != NULL) rc = posix_spawn(pid, shell, &actions, &attr, argv, environ);
    else rc = posix_spawnp(pid, shell, &actions, &attr, argv, environ);
  }
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  return rc;
}
