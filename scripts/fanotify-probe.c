/* fanotify-probe: does a filesystem-wide fanotify mark work here, how fast are its events read,
 * and how many come from outside the watch root. A measurement tool for docs/scale.md.
 *   cc -O2 -Wall -Wextra -o /tmp/fanotify-probe scripts/fanotify-probe.c
 *   sudo /tmp/fanotify-probe DIR [N [UNLIMITED]]     (CAP_SYS_ADMIN; DIR must not exist)
 * It makes DIR/in (the "watch root") and DIR/out (a sibling on the same filesystem), marks the
 * whole filesystem (FAN_MARK_FILESYSTEM, FAN_REPORT_DFID_NAME), creates and closes N files in
 * each, then drains the queue: events read, per-event read+parse+filter cost, how many the root
 * filter (the event's directory handle equals in's) keeps, overflows. UNLIMITED=1 adds
 * FAN_UNLIMITED_QUEUE; without it the queue holds 16,384 events. Leaves DIR: rm -rf DIR after.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "fanotify-probe: %s: %s\n", what, strerror(errno));
	exit(1);
}

struct fh { struct file_handle h; unsigned char b[128]; };

static void burst(const char *dir, int n)
{
	char p[4096];
	for (int i = 0; i < n; i++) {
		snprintf(p, sizeof p, "%s/f%d", dir, i);
		int fd = open(p, O_CREAT | O_WRONLY, 0644);
		if (fd < 0) die(p);
		if (write(fd, "x", 1) != 1) die("write");
		close(fd);
	}
}

int main(int argc, char **argv)
{
	if (argc < 2) { fprintf(stderr, "usage: fanotify-probe DIR [N [UNLIMITED]]\n"); return 2; }
	int n = argc > 2 ? atoi(argv[2]) : 5000, unl = argc > 3 && atoi(argv[3]);
	char in[4096], out[4096];
	snprintf(in, sizeof in, "%s/in", argv[1]);
	snprintf(out, sizeof out, "%s/out", argv[1]);
	if (mkdir(argv[1], 0755) || mkdir(in, 0755) || mkdir(out, 0755)) die("mkdir (DIR must not exist)");
	struct fh root;
	int mnt;
	root.h.handle_bytes = sizeof root.b;
	if (name_to_handle_at(AT_FDCWD, in, &root.h, &mnt, 0)) die("name_to_handle_at");
	int fan = fanotify_init(FAN_CLASS_NOTIF | FAN_REPORT_DFID_NAME | FAN_NONBLOCK | (unl ? FAN_UNLIMITED_QUEUE : 0),
				O_RDONLY);
	if (fan < 0) die("fanotify_init");
	uint64_t mask = FAN_CREATE | FAN_CLOSE_WRITE | FAN_DELETE | FAN_MOVED_FROM | FAN_MOVED_TO | FAN_ONDIR |
			FAN_EVENT_ON_CHILD;
	if (fanotify_mark(fan, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, mask, AT_FDCWD, in)) die("fanotify_mark");
	double t0 = now();
	burst(in, n);
	burst(out, n);
	double t1 = now();
	static char buf[1 << 16] __attribute__((aligned(8)));
	long events = 0, kept = 0, foreign = 0, overflow = 0, merged = 0;
	double t2 = now();
	for (int idle = 0; idle < 3;) {
		ssize_t len = read(fan, buf, sizeof buf);
		if (len < 0) {
			if (errno != EAGAIN) die("read");
			struct pollfd pf = { fan, POLLIN, 0 };
			idle += poll(&pf, 1, 20) == 0;
			continue;
		}
		for (struct fanotify_event_metadata *m = (void *)buf; FAN_EVENT_OK(m, len); m = FAN_EVENT_NEXT(m, len)) {
			events++;
			if (m->mask & FAN_Q_OVERFLOW) { overflow++; continue; }
			if ((m->mask & FAN_CREATE) && (m->mask & FAN_CLOSE_WRITE)) merged++;
			struct fanotify_event_info_fid *fid = (void *)(m + 1);
			if (fid->hdr.info_type != FAN_EVENT_INFO_TYPE_DFID_NAME) { foreign++; continue; }
			struct file_handle *h = (void *)fid->handle;
			if (h->handle_bytes == root.h.handle_bytes && h->handle_type == root.h.handle_type &&
			    !memcmp(h->f_handle, (unsigned char *)&root.h + sizeof root.h, h->handle_bytes))
				kept++;
			else
				foreign++;
		}
	}
	double t3 = now() - 60e6; /* the idle polls: three 20 ms timeouts */
	printf("kernel-fs %s n=%d unlimited=%d: burst %.0f ms (%.1f us/file), %ld events read in %.1f ms "
	       "(%.0f ns/event, %.2f M events/s), kept %ld, from outside the root %ld, "
	       "create+close merged %ld, overflows %ld\n",
	       argv[1], n, unl, (t1 - t0) / 1e6, (t1 - t0) / 2e3 / n, events, (t3 - t2) / 1e6,
	       (t3 - t2) / (events ? events : 1), events / ((t3 - t2) / 1e3), kept, foreign, merged, overflow);
	return 0;
}
