/* handle-cost: what a fanotify watcher pays to turn a directory file handle back into a path.
 *
 * A measurement tool for docs/scale.md, not part of the product build.
 *   cc -O2 -Wall -Wextra -o /tmp/handle-cost scripts/handle-cost.c
 *   sudo /tmp/handle-cost ROOT [LEAVES [RUNS [DROP]]]      (root: open_by_handle_at needs
 *                                                          CAP_DAC_READ_SEARCH)
 * ROOT must not exist; the probe builds the tree under it and leaves it (rm -rf ROOT after).
 * For each depth D in 1 5 10 20 it builds two shapes:
 *   fan   ROOT/fD/x/x/.../LEAF  : one shared chain, LEAVES leaf directories at depth D
 *   chain ROOT/cD/K/x/.../x     : LEAVES/D separate chains of D directories, the deepest measured
 *                                 (so a cold resolution has no cached ancestor to stop at)
 * and measures, per leaf directory, in ns (median of RUNS passes, default 3):
 *   n2h       name_to_handle_at(AT_FDCWD, path)                  dentries cached
 *   n2h-cold  the same after drop_caches                         (DROP != 0)
 *   res       open_by_handle_at(mount_fd, h, O_PATH) + readlink("/proc/self/fd/N") + close
 *   res-cold  the same after drop_caches, leaves in random order  (DROP != 0), the first
 *             COLD_N (env, default 500) of them only: on ext4 a cold directory is reconnected
 *             by reading its parent directory until its name turns up, milliseconds apiece
 *   hash      lookup of the handle in an open-addressing handle->path table (a cache hit)
 * DROP (default 2) is written to /proc/sys/vm/drop_caches before each cold pass: 2 frees
 * dentries and inodes, 3 the page cache as well. Use 0 on tmpfs, whose dentries cannot be dropped.
 * Output: one line per depth and shape, then the total of directories built.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define HMAX 128 /* MAX_HANDLE_SZ */
struct fh { struct file_handle h; unsigned char b[HMAX]; };
#define FHB(f) ((const unsigned char *)&(f)->h + sizeof(struct file_handle)) /* the handle bytes */

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static void die(const char *what, const char *arg)
{
	fprintf(stderr, "handle-cost: %s %s: %s\n", what, arg ? arg : "", strerror(errno));
	exit(1);
}

static void mkd(const char *p)
{
	if (mkdir(p, 0755) && errno != EEXIST) die("mkdir", p);
}

static void drop(int how)
{
	char v[4];
	sync();
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
	if (fd < 0) die("open", "/proc/sys/vm/drop_caches");
	snprintf(v, sizeof v, "%d\n", how);
	if (write(fd, v, strlen(v)) < 0) die("write", "drop_caches");
	close(fd);
}

static uint64_t hash(const struct fh *f)
{
	uint64_t x = 1469598103934665603ULL ^ (uint64_t)f->h.handle_type;
	for (unsigned i = 0; i < f->h.handle_bytes; i++) x = (x ^ FHB(f)[i]) * 1099511628211ULL;
	return x;
}

/* open addressing, linear probing; keys are the handles, values the paths */
struct table { size_t cap; const struct fh **key; char **val; };

static void tput(struct table *t, const struct fh *k, char *v)
{
	size_t i = hash(k) & (t->cap - 1);
	while (t->key[i]) i = (i + 1) & (t->cap - 1);
	t->key[i] = k;
	t->val[i] = v;
}

/* An empty table with room for n keys at half load, and the handles and probe order for n. */
static struct table table_for(size_t n, struct fh **hs, size_t **rnd)
{
	struct table tb = { 1, NULL, NULL };
	while (tb.cap < 2 * n) tb.cap <<= 1;
	tb.key = calloc(tb.cap, sizeof *tb.key);
	tb.val = calloc(tb.cap, sizeof *tb.val);
	*hs = calloc(n, sizeof **hs);
	*rnd = calloc(n, sizeof **rnd);
	if (!*hs || !*rnd || !tb.key || !tb.val) die("calloc", "table");
	return tb;
}

static const char *tget(const struct table *t, const struct fh *k)
{
	for (size_t i = hash(k) & (t->cap - 1); t->key[i]; i = (i + 1) & (t->cap - 1)) {
		const struct fh *c = t->key[i];
		if (c->h.handle_bytes == k->h.handle_bytes && c->h.handle_type == k->h.handle_type &&
		    !memcmp(FHB(c), FHB(k), k->h.handle_bytes))
			return t->val[i];
	}
	return NULL;
}

static int cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof *v, cmpd);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double pass_n2h(char **paths, struct fh *hs, size_t n)
{
	int mnt;
	double t = now();
	for (size_t i = 0; i < n; i++) {
		hs[i].h.handle_bytes = HMAX;
		if (name_to_handle_at(AT_FDCWD, paths[i], &hs[i].h, &mnt, 0)) die("name_to_handle_at", paths[i]);
	}
	return (now() - t) / n;
}

static volatile size_t sink;

static double pass_res(int mfd, struct fh *hs, const size_t *order, size_t n)
{
	char link[64], out[4096];
	double t = now();
	for (size_t i = 0; i < n; i++) {
		int fd = open_by_handle_at(mfd, &hs[order[i]].h, O_PATH);
		if (fd < 0) die("open_by_handle_at", "");
		snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
		ssize_t len = readlink(link, out, sizeof out);
		if (len < 0) die("readlink", link);
		sink += (size_t)len;
		close(fd);
	}
	return (now() - t) / n;
}

static double pass_hash(const struct table *tb, struct fh *hs, const size_t *order, size_t n)
{
	double t = now();
	for (size_t i = 0; i < n; i++) {
		const char *p = tget(tb, &hs[order[i]]);
		if (!p) { fprintf(stderr, "handle-cost: cache miss\n"); exit(1); }
		sink += (size_t)p[1];
	}
	return (now() - t) / n;
}

/* builds one shape, returns the leaf paths; *dirs counts the directories made */
static char **build(const char *root, int depth, int chain, size_t leaves, size_t *n, size_t *dirs)
{
	char p[4096];
	size_t k = chain ? leaves / depth : leaves, m = 0;
	char **v = malloc(k * sizeof *v);
	snprintf(p, sizeof p, "%s/%c%d", root, chain ? 'c' : 'f', depth);
	mkd(p), (*dirs)++;
	if (!chain) {
		for (int d = 1; d < depth; d++) strcat(p, "/x"), mkd(p), (*dirs)++;
		size_t base = strlen(p);
		for (size_t i = 0; i < k; i++) {
			snprintf(p + base, sizeof p - base, "/%zu", i);
			mkd(p), (*dirs)++;
			v[m++] = strdup(p);
		}
	} else {
		size_t base = strlen(p);
		for (size_t i = 0; i < k; i++) {
			snprintf(p + base, sizeof p - base, "/%zu", i);
			mkd(p), (*dirs)++;
			for (int d = 1; d < depth; d++) strcat(p, "/x"), mkd(p), (*dirs)++;
			v[m++] = strdup(p);
		}
	}
	*n = m;
	return v;
}

int main(int argc, char **argv)
{
	static const int depths[] = { 1, 5, 10, 20 };
	if (argc < 2) { fprintf(stderr, "usage: handle-cost ROOT [LEAVES [RUNS [DROP]]]\n"); return 2; }
	const char *root = argv[1];
	size_t leaves = argc > 2 ? strtoul(argv[2], NULL, 10) : 20000;
	int runs = argc > 3 ? atoi(argv[3]) : 3, how = argc > 4 ? atoi(argv[4]) : 2;
	if (runs < 1 || runs > 99) runs = 3;
	if (leaves < 20) leaves = 20; /* a chain shape of depth 20 needs one */
	const char *cs = getenv("COLD_N"); /* cold resolutions are slow: time the first COLD_N only */
	size_t cold = cs && atol(cs) > 0 ? (size_t)atol(cs) : 500;
	if (mkdir(root, 0755)) die("mkdir (ROOT must not exist)", root);
	int mfd = open(root, O_RDONLY | O_DIRECTORY);
	if (mfd < 0) die("open", root);
	size_t dirs = 1;
	unsigned hbytes = 0;
	char **paths[8];
	size_t counts[8];
	for (int s = 0; s < 8; s++) paths[s] = build(root, depths[s / 2], s % 2, leaves, &counts[s], &dirs);
	printf("# %zu directories under %s; ns per leaf directory, median of %d; drop_caches=%d; "
	       "res-cold over %zu leaves\n", dirs, root, runs, how, cold);
	printf("%-6s %5s %7s %8s %9s %8s %9s %7s\n", "shape", "depth", "leaves", "n2h", "n2h-cold", "res",
	       "res-cold", "hash");
	for (int s = 0; s < 8; s++) {
		size_t n = counts[s];
		struct fh *hs;
		size_t *rnd;
		struct table tb = table_for(n, &hs, &rnd);
		srand(23);
		for (size_t i = 0; i < n; i++) rnd[i] = i;
		for (size_t i = n - 1; i > 0; i--) {
			size_t j = (size_t)rand() % (i + 1), t = rnd[i];
			rnd[i] = rnd[j], rnd[j] = t;
		}
		pass_n2h(paths[s], hs, n);
		for (size_t i = 0; i < n; i++) tput(&tb, &hs[i], paths[s][i]);
		double r[5][99];
		for (int k = 0; k < runs; k++) {
			if (how) {
				drop(how);
				r[1][k] = pass_n2h(paths[s], hs, n);
				drop(how);
				r[3][k] = pass_res(mfd, hs, rnd, n < cold ? n : cold);
			} else {
				r[1][k] = r[3][k] = 0;
			}
			if (how) pass_n2h(paths[s], hs, n); /* warm the dentries again, untimed */
			r[0][k] = pass_n2h(paths[s], hs, n);
			r[2][k] = pass_res(mfd, hs, rnd, n);
			pass_hash(&tb, hs, rnd, n); /* the second pass: the table in the CPU cache if it fits */
			r[4][k] = pass_hash(&tb, hs, rnd, n);
		}
		printf("%-6s %5d %7zu %8.0f %9.0f %8.0f %9.0f %7.1f\n", s % 2 ? "chain" : "fan", depths[s / 2], n,
		       median(r[0], runs), median(r[1], runs), median(r[2], runs), median(r[3], runs),
		       median(r[4], runs));
		fflush(stdout);
		hbytes = hs[0].h.handle_bytes;
		free(hs), free(rnd), free(tb.key), free(tb.val);
	}
	const char *big = getenv("HASH_N"); /* a cache hit in a table of HASH_N synthetic handles */
	if (big && atol(big) > 0) {
		size_t n = (size_t)atol(big);
		struct fh *hs;
		size_t *rnd;
		struct table tb = table_for(n, &hs, &rnd);
		for (size_t i = 0; i < n; i++) {
			hs[i].h.handle_bytes = 8, hs[i].h.handle_type = 1;
			uint64_t ino = 1000003 * (uint64_t)i + 12;
			memcpy((unsigned char *)&hs[i].h + sizeof(struct file_handle), &ino, 8);
			tput(&tb, &hs[i], "/x");
			rnd[i] = (size_t)(((uint64_t)i * 2654435761u) % n);
		}
		double r[99];
		pass_hash(&tb, hs, rnd, n);
		for (int k = 0; k < runs; k++) r[k] = pass_hash(&tb, hs, rnd, n);
		printf("# hash hit in a table of %zu handles: %.1f ns\n", n, median(r, runs));
	}
	printf("# handle bytes %u; kernel ", hbytes);
	fflush(stdout);
	return system("uname -r") != 0;
}
