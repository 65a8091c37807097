/*
 * mmm-live: run a scenario (docs/scenario-language.md) on the running kernel and
 * print the observation in the model's format (docs/observation-format.md), so
 * that `mmm run FILE` and `mmm-live FILE` can be diffed (`mmm conform`).
 *
 * Processes. The runner process is a controller: it applies the header's THP and
 * swap knobs, forks the scenario's `parent`, and waits. Every process of the
 * scenario is a real process; `fork NAME { ... }` is fork(2), the child runs its
 * block. Exactly one process runs at a time: a baton (a futex word in a shared
 * log) names it; `pause`, `resume`, block end and `exit` pass it, as in the
 * model's cooperative schedule. A process that exits is waited for (pidfd) before
 * the one it returns to goes on, so its address space is gone.
 *
 * Observation. Whoever observes reads /proc/PID/pagemap, /proc/PID/maps and
 * /proc/PID/mem of each live process of the scenario (root), and /proc/kpagecount
 * and /proc/kpageflags of each PFN; contents are read through /proc/PID/mem for
 * present pages only (a swapped page reads `data=?`: reading it would swap it in).
 * Observations go to a MAP_SHARED log, so the controller prints them at the end.
 * Observation uses only static buffers and pre-touched memory and is checked to
 * take zero faults (getrusage before / after); a fault there is reported.
 *
 * Fault counts. A process's phase counts are the sum of getrusage(RUSAGE_THREAD)
 * deltas taken around each operation of the scenario (the accesses, and the
 * madvise / mprotect / munmap / pin system calls), so the runner's own faults
 * (copy-on-write of its stack and data after fork, first touches of the shared
 * log) are not counted. After every fork both processes re-touch the runner's
 * writable memory before the next window.
 *
 * Pins. `pin rw` registers the range as an io_uring fixed buffer (raw
 * io_uring_setup / io_uring_register system calls, no liburing):
 * FOLL_PIN | FOLL_LONGTERM | FOLL_WRITE, like the model. `pin ro` has no
 * user-space FOLL_PIN without FOLL_WRITE; it is approximated by vmsplice(2),
 * which holds plain page references (FOLL_GET, not FOLL_PIN): the kernel then
 * does not treat the pages as maybe-DMA-pinned. `unpin` releases exactly that
 * range (IORING_UNREGISTER_BUFFERS, or closing the pipe).
 *
 * userfaultfd. `uffd register wp [unpopulated] [async] [fork-event]` registers the
 * range with a userfaultfd context of this process (one per feature set:
 * EVENT_FORK, WP_UNPOPULATED, WP_ASYNC: the kernel resolves those traps); a handler thread per process polls its contexts, records each
 * write-protect trap in the log (`uffd PROC A[i] write line=N`, N the line the
 * faulting thread is executing) and unprotects that page (UFFDIO_WRITEPROTECT
 * mode 0), as the model's default monitor does. With EVENT_FORK the context of a
 * child's mm arrives as a UFFD_EVENT_FORK message at the parent's handler, which
 * then serves the child's traps too; the child reaches that context with
 * pidfd_getfd when it protects or unprotects itself.
 *
 * KSM. `ksm merge` is MADV_MERGEABLE on the range (ksmd then scans every
 * mergeable range of every process, as the model's merge does); then ksmd is
 * run (ksm/run = 1) until it has made three full scans after the advice (a page
 * is merged on its second scan) and a further full scan changed nothing (the
 * model's passes repeat until one merges nothing), and stopped again. Not
 * settling within the time limit stops the run with an error (a timeout, not a
 * hang). `ksm unmerge` is MADV_UNMERGEABLE.
 *
 * mremap. `mremap PAGES N|SIZE [maymove] [fixed DEST] [as NAME]` is mremap(2)
 * with MREMAP_MAYMOVE / MREMAP_FIXED; the mapping names follow as in the model's
 * runner (Scenario+Mremap.swift): `as NAME` names the new range, a whole
 * mapping moves with its name, a part stays in place and may extend it.
 *
 * `swap disk` runs on a swap file on the root file system (asynchronous), the
 * only active swap for the run.
 *
 * Not supported (a clear error naming the line): `arch arm64` on an x86-64
 * machine, and `reclaim PAGES` (model-only: global reclaim of chosen pages cannot
 * be forced on a kernel). `expect ksm NAME=N...` reads /sys/kernel/mm/ksm/NAME
 * (self-zero-pages: /proc/self/ksm_stat); ksmd runs only inside `ksm merge`, so
 * pages_shared / pages_sharing change later only where the kernel changes them
 * at once (the model's values are those after ksmd settled).
 * `free` and `collapse` run (MADV_FREE, MADV_COLLAPSE). Model-only lines and words are not
 * checked here: `expect consistent`, `expect violation RULE`, and the page words
 * writable, dirty, young, anon-exclusive, pmd-mapped, pinned. The header's
 * `kernel`, `switch` and `soft-dirty` lines describe the model's kernel: the
 * runner accepts them and runs the kernel it is on.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <linux/userfaultfd.h>
#ifndef UFFD_FEATURE_WP_UNPOPULATED
#define UFFD_FEATURE_WP_UNPOPULATED (1 << 13)   /* Linux 6.4; older uapi headers lack it */
#endif
#ifndef UFFD_FEATURE_WP_ASYNC
#define UFFD_FEATURE_WP_ASYNC (1 << 15)         /* Linux 6.7 */
#endif
#if defined(__has_include)
#if __has_include(<linux/io_uring.h>)
#include <linux/io_uring.h>
#define HAVE_IO_URING 1
#endif
#endif

#define PAGE 4096UL
#define PMD_SIZE (2UL << 20)
#define NAMELEN 32
#define MAXPROC 32
#define MAXMAP 16
#define MAXPHASE 256
#define MAXSNAP 64
#define MAXFAIL 64
#define MAXPIN 32
#define CONTROLLER MAXPROC

/* pagemap and kpageflags bits (docs/observation-format.md) */
#define PM_PRESENT (1ULL << 63)
#define PM_SWAP (1ULL << 62)
#define PM_FILE (1ULL << 61)
#define PM_UFFD_WP (1ULL << 57)
#define PM_EXCL (1ULL << 56)
#define PM_SOFT_DIRTY (1ULL << 55)
#define PM_FRAME ((1ULL << 55) - 1)
#define KPF_ANON (1ULL << 12)
#define KPF_SWAPCACHE (1ULL << 13)
#define KPF_HEAD (1ULL << 15)
#define KPF_TAIL (1ULL << 16)
#define KPF_KSM (1ULL << 21)
#define KPF_THP (1ULL << 22)
#define KPF_ZERO (1ULL << 24)
#define KPF_RELEVANT (KPF_ANON | KPF_SWAPCACHE | KPF_HEAD | KPF_TAIL | KPF_KSM | KPF_THP | KPF_ZERO)

/* ------------------------------------------------------------------------- */
/* The scenario                                                               */
/* ------------------------------------------------------------------------- */

typedef struct {
	char map[NAMELEN];
	int all;
	long lo, hi;
} Range;

enum { C_WORD, C_COUNT, C_CONTENTS, C_KEPT, C_SAME, C_SHARED };
typedef struct {
	int kind, neg, hasSince;
	char word[24];
	long val;
	char since[NAMELEN], proc[NAMELEN];
	Range r;
} Cond;

enum {
	OP_MAP, OP_ACCESS, OP_MADVISE, OP_MPROTECT, OP_MUNMAP, OP_FORK, OP_PAUSE, OP_RESUME,
	OP_EXIT, OP_PIN, OP_UNPIN, OP_PHASE, OP_SNAPSHOT, OP_EXPF, OP_EXPP, OP_MREMAP,
	OP_UFFD_REG, OP_UFFD_UNREG, OP_UFFD_WP, OP_KSM_MERGE, OP_KSM_UNMERGE, OP_CLEAR_REFS, OP_EXPU, OP_MODEL_ONLY,
	OP_EXPK
};

typedef struct Stmt Stmt;
typedef struct {
	Stmt *s;
	int n, cap;
} Block;

struct Stmt {
	int line, op;
	char text[320];
	Range r;
	int rd, wr, value, advice, prot, hasMinor, hasMajor;
	int mayFail;            /* `try OP`: a failure does not stop the run */
	int mayMove, hasFixed;  /* mremap: MREMAP_MAYMOVE, MREMAP_FIXED to page `fixed` */
	Range fixed;
	int uffdFeat;           /* UFFD_CTX_* of `uffd register` */
	long pages, minor, major;
	unsigned long align;
	char name[NAMELEN], proc[NAMELEN], phase[NAMELEN];
	Block body;
	int nc;
	Cond *c;
};

enum { THP_NEVER, THP_ALWAYS, THP_MADVISE, THP_INHERIT };
static const char *thpWord[] = {"never", "always", "madvise", "inherit"};

typedef struct {
	char arch[16], kernel[16];
	int thp, orders[10], hzp, swapSync, pageCluster, softDirty, nswitch, ksmZero;
	char switches[8][64];
	long frames, swapSlots;
} Header;

/* The userfaultfd contexts a process may have, by feature set. */
#define UFFD_CTX_FORK 1         /* UFFD_FEATURE_EVENT_FORK */
#define UFFD_CTX_UNPOP 2        /* UFFD_FEATURE_WP_UNPOPULATED */
#define UFFD_CTX_ASYNC 4        /* UFFD_FEATURE_WP_ASYNC (implies WP_UNPOPULATED) */
#define UFFD_NCTX 8

static Header H;
static Block Body;
static int nForks;   /* fork statements: the process table's size */
static long maxPagesPerProc;   /* sum of all map statements */
static int nSnapStmts;

/* Parse errors */
static jmp_buf perrEnv;
static int perrLine;
static char perrMsg[512];

static void perr(int line, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
static void perr(int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(perrMsg, sizeof perrMsg, fmt, ap);
	va_end(ap);
	perrLine = line;
	longjmp(perrEnv, 1);
}

typedef struct {
	int line;
	int nw;
	char *w[64];
	char text[320];
} Line;
static Line *lines;
static int nlines, pos;

static void splitLines(char *text)
{
	int cap = 64, n = 0;
	lines = calloc(cap, sizeof *lines);
	char *save = NULL;
	int ln = 0;
	char *p = text;
	while (p) {
		char *nl = strchr(p, '\n');
		if (nl) *nl = 0;
		ln++;
		char *hash = strchr(p, '#');
		if (hash) *hash = 0;
		Line L = {.line = ln};
		for (char *t = strtok_r(p, " \t\r", &save); t; t = strtok_r(NULL, " \t\r", &save)) {
			if (L.nw == 64) perr(ln, "too many words on one line");
			L.w[L.nw++] = t;
		}
		if (L.nw) {
			size_t o = 0;
			for (int i = 0; i < L.nw; i++) {
				int k = snprintf(L.text + o, sizeof L.text - o, "%s%s", i ? " " : "", L.w[i]);
				if (k < 0 || (size_t)k >= sizeof L.text - o) perr(ln, "line too long");
				o += (size_t)k;
			}
			if (n == cap) lines = realloc(lines, (size_t)(cap *= 2) * sizeof *lines);
			lines[n++] = L;
		}
		p = nl ? nl + 1 : NULL;
	}
	nlines = n;
}

/* strlcpy: copies what fits, always terminated */
static void copyStr(char *dst, size_t n, const char *src)
{
	size_t k = strlen(src);
	if (k >= n) k = n - 1;
	memcpy(dst, src, k);
	dst[k] = 0;
}

static int isNum(const char *s)
{
	if (!*s) return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s)) return 0;
	return 1;
}

/* digits with an optional K/M/G suffix; 0 when not a size */
static int parseSize(const char *s, unsigned long *out)
{
	char buf[32];
	size_t n = strlen(s);
	if (n == 0 || n >= sizeof buf) return 0;
	memcpy(buf, s, n + 1);
	unsigned long mult = 1;
	switch (buf[n - 1]) {
	case 'K': case 'k': mult = 1UL << 10; buf[n - 1] = 0; break;
	case 'M': case 'm': mult = 1UL << 20; buf[n - 1] = 0; break;
	case 'G': case 'g': mult = 1UL << 30; buf[n - 1] = 0; break;
	}
	if (!isNum(buf) || strlen(buf) > 13) return 0;
	unsigned long v = strtoul(buf, NULL, 10);
	if (v > (1UL << 40) / mult) return 0;
	*out = v * mult;
	return 1;
}

/*
 * A mapping's length at w[*i]: "N [pages]" or a size like 2M, 1..2^26 pages;
 * *i moves past it.
 */
static long parseLength(char **w, int nw, int *i, int line)
{
	const char *a = w[*i];
	unsigned long b;
	long pages;
	(*i)++;
	if (isNum(a) && strlen(a) < 12) {
		pages = atol(a);
		if (*i < nw && (!strcmp(w[*i], "pages") || !strcmp(w[*i], "page"))) (*i)++;
	} else if (parseSize(a, &b) && b % PAGE == 0) {
		pages = (long)(b / PAGE);
	} else {
		perr(line, "'%s' is neither a page count nor a size like 2M", a);
	}
	if (pages < 1 || pages > (1L << 26)) perr(line, "a mapping has 1..2^26 pages, not %ld", pages);
	return pages;
}

static int parseValue(const char *s, long *out)
{
	int hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && s[2];
	const char *d = hex ? s + 2 : s;
	if (!*d || strlen(d) > 16) return 0;
	for (const char *q = d; *q; q++)
		if (!(isdigit((unsigned char)*q) || (hex && isxdigit((unsigned char)*q)))) return 0;
	*out = (long)strtoul(d, NULL, hex ? 16 : 10);
	return 1;
}

static void checkName(const char *s, int line)
{
	int ok = *s && !isdigit((unsigned char)*s) && strlen(s) < NAMELEN;
	for (const char *q = s; *q && ok; q++)
		ok = isalnum((unsigned char)*q) || *q == '_' || *q == '-';
	if (!ok) perr(line, "'%s' is not a name (letters, digits, '_', '-'; not starting with a digit)", s);
}

static Range parseRange(const char *s, int line)
{
	Range r = {.all = 1};
	const char *open = strchr(s, '[');
	if (!open) {
		checkName(s, line);
		snprintf(r.map, sizeof r.map, "%s", s);
		return r;
	}
	char name[64];
	size_t nl = (size_t)(open - s);
	if (nl >= sizeof name) perr(line, "'%s' is not a page range (A[3], A[0..15], A[*])", s);
	memcpy(name, s, nl);
	name[nl] = 0;
	checkName(name, line);
	copyStr(r.map, sizeof r.map, name);
	size_t n = strlen(s);
	if (s[n - 1] != ']') perr(line, "'%s' is not a page range (A[3], A[0..15], A[*])", s);
	char in[64];
	size_t il = n - nl - 2;
	if (il >= sizeof in) perr(line, "'%s' is not a page range", s);
	memcpy(in, open + 1, il);
	in[il] = 0;
	if (!strcmp(in, "*")) return r;
	char *dots = strstr(in, "..");
	r.all = 0;
	if (!dots && isNum(in) && strlen(in) < 12) {
		r.lo = r.hi = atol(in);
		return r;
	}
	if (dots) {
		*dots = 0;
		if (isNum(in) && isNum(dots + 2) && strlen(in) < 12 && strlen(dots + 2) < 12) {
			r.lo = atol(in);
			r.hi = atol(dots + 2);
			if (r.hi >= r.lo) return r;
		}
	}
	perr(line, "'%s' is not a page range (A[3], A[0..15] with first <= last, A[*])", s);
}

static void rangeText(const Range *r, char *buf, size_t n)
{
	if (r->all) snprintf(buf, n, "%s[*]", r->map);
	else if (r->lo == r->hi) snprintf(buf, n, "%s[%ld]", r->map, r->lo);
	else snprintf(buf, n, "%s[%ld..%ld]", r->map, r->lo, r->hi);
}

static int thpSetting(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (!strcmp(s, thpWord[i])) return i;
	return -1;
}

static const char *headerWords[] = {"arch", "kernel", "switch", "thp", "huge-zero-page", "swap", "page-cluster", "frames",
	"swap-slots", "soft-dirty", "ksm-zero-pages", NULL};
/* The model's kernel presets (Sources/MMModel/Policy/KernelPolicy.swift). */
static const char *presets[] = {"5.4", "5.15", "6.1", "6.6", "6.8", "6.10", "6.11", "6.12", "6.15", "6.18", NULL};
static int isHeaderWord(const char *w)
{
	for (int i = 0; headerWords[i]; i++)
		if (!strcmp(w, headerWords[i])) return 1;
	return 0;
}

static char seen[16][24];
static int nseen;

static int parseHeaderLine(Line *l)
{
	char **w = l->w;
	int n = l->line;
	if (!isHeaderWord(w[0])) return 0;
	char key[24];
	if (!strcmp(w[0], "thp") && l->nw == 3) snprintf(key, sizeof key, "thp %.16s", w[1]);
	else if (!strcmp(w[0], "switch") && l->nw == 2) snprintf(key, sizeof key, "switch %.*s", (int)strcspn(w[1], "="), w[1]);
	else snprintf(key, sizeof key, "%s", w[0]);
	for (int i = 0; i < nseen; i++)
		if (!strcmp(seen[i], key)) perr(n, "'%s' given twice", key);
	if (nseen < 16) snprintf(seen[nseen++], sizeof seen[0], "%s", key);
#define NEED(c, usage) do { if (l->nw != (c)) perr(n, "expected '%s'", usage); } while (0)
	if (!strcmp(w[0], "arch")) {
		NEED(2, "arch x86_64|arm64");
		if (!strcmp(w[1], "x86_64") || !strcmp(w[1], "x86-64") || !strcmp(w[1], "amd64")) snprintf(H.arch, sizeof H.arch, "x86_64");
		else if (!strcmp(w[1], "arm64") || !strcmp(w[1], "aarch64")) snprintf(H.arch, sizeof H.arch, "arm64");
		else perr(n, "unknown architecture '%s' (x86_64 or arm64)", w[1]);
	} else if (!strcmp(w[0], "kernel")) {
		NEED(2, "kernel 6.18");
		int ok = 0;
		for (int i = 0; presets[i]; i++) ok |= !strcmp(w[1], presets[i]);
		if (!ok) perr(n, "unknown kernel preset '%s'", w[1]);
		snprintf(H.kernel, sizeof H.kernel, "%s", w[1]);
	} else if (!strcmp(w[0], "switch")) {
		/* a policy switch of the model: the live kernel is what it is */
		NEED(2, "switch NAME=VALUE");
		if (!strchr(w[1], '=') || strlen(w[1]) >= sizeof H.switches[0]) perr(n, "expected 'switch NAME=VALUE'");
		if (H.nswitch == 8) perr(n, "too many switch lines");
		snprintf(H.switches[H.nswitch++], sizeof H.switches[0], "%s", w[1]);
	} else if (!strcmp(w[0], "ksm-zero-pages")) {
		NEED(2, "ksm-zero-pages on|off");
		if (strcmp(w[1], "on") && strcmp(w[1], "off")) perr(n, "expected 'on' or 'off', not '%s'", w[1]);
		H.ksmZero = !strcmp(w[1], "on");
	} else if (!strcmp(w[0], "soft-dirty")) {
		NEED(2, "soft-dirty on|off");
		if (strcmp(w[1], "on") && strcmp(w[1], "off")) perr(n, "expected 'on' or 'off', not '%s'", w[1]);
		H.softDirty = !strcmp(w[1], "on");
	} else if (!strcmp(w[0], "thp")) {
		if (l->nw != 2 && l->nw != 3) perr(n, "expected 'thp always|madvise|never' or 'thp SIZE always|madvise|never|inherit'");
		int s = thpSetting(w[l->nw - 1]);
		if (s < 0) perr(n, "unknown THP mode '%s' (always, madvise, never, inherit)", w[l->nw - 1]);
		if (l->nw == 2) {
			if (s == THP_INHERIT) perr(n, "the top-level THP mode cannot be 'inherit'");
			H.thp = s;
		} else {
			unsigned long b;
			int order = -1;
			if (parseSize(w[1], &b))
				for (int o = 2; o <= 9; o++)
					if (PAGE << o == b) order = o;
			if (order < 0) perr(n, "unknown folio size '%s' (16K, 32K, 64K, 128K, 256K, 512K, 1M, 2M)", w[1]);
			H.orders[order] = s;
		}
	} else if (!strcmp(w[0], "huge-zero-page")) {
		NEED(2, "huge-zero-page on|off");
		if (strcmp(w[1], "on") && strcmp(w[1], "off")) perr(n, "expected 'on' or 'off', not '%s'", w[1]);
		H.hzp = !strcmp(w[1], "on");
	} else if (!strcmp(w[0], "swap")) {
		NEED(2, "swap zram|disk");
		if (!strcmp(w[1], "zram") || !strcmp(w[1], "sync")) H.swapSync = 1;
		else if (!strcmp(w[1], "disk") || !strcmp(w[1], "async")) H.swapSync = 0;
		else perr(n, "unknown swap device '%s' (zram or disk)", w[1]);
	} else if (!strcmp(w[0], "page-cluster")) {
		NEED(2, "page-cluster N");
		if (!isNum(w[1]) || strlen(w[1]) > 3 || atoi(w[1]) > 31) perr(n, "page-cluster must be 0..31, not '%s'", w[1]);
		H.pageCluster = atoi(w[1]);
	} else {
		char usage[40];
		snprintf(usage, sizeof usage, "%s N|SIZE", w[0]);
		NEED(2, usage);
		unsigned long b;
		long v = -1;
		if (isNum(w[1]) && strlen(w[1]) < 12) v = atol(w[1]);
		else if (parseSize(w[1], &b) && b % PAGE == 0) v = (long)(b / PAGE);
		if (v < 1 || v > (1L << 26))
			perr(n, "%s must be a number of pages or a size like 64M (at most 2^26 pages), not '%s'", w[0], w[1]);
		if (!strcmp(w[0], "frames")) H.frames = v;
		else H.swapSlots = v;
	}
	return 1;
}

static Stmt *push(Block *b)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 16;
		b->s = realloc(b->s, (size_t)b->cap * sizeof *b->s);
	}
	Stmt *s = &b->s[b->n++];
	memset(s, 0, sizeof *s);
	return s;
}

static char procNames[MAXPROC][NAMELEN];
static int nProcNames;

static int nameUsed(const char *s)
{
	for (int i = 0; i < nProcNames; i++)
		if (!strcmp(procNames[i], s)) return 1;
	return 0;
}

static void parseMap(Line *l, Stmt *s)
{
	const char *usage = "map NAME N pages|SIZE [hugepage|nohugepage] [ro|none] [align SIZE]";
	char **w = l->w;
	int n = l->line;
	if (l->nw < 3) perr(n, "expected '%s'", usage);
	checkName(w[1], n);
	snprintf(s->name, sizeof s->name, "%s", w[1]);
	int i = 2;
	unsigned long b;
	s->pages = parseLength(w, l->nw, &i, n);
	s->prot = PROT_READ | PROT_WRITE;
	s->advice = 0;
	for (; i < l->nw; i++) {
		if (!strcmp(w[i], "hugepage") || !strcmp(w[i], "nohugepage")) {
			if (s->advice) perr(n, "hugepage and nohugepage exclude each other");
			s->advice = !strcmp(w[i], "hugepage") ? MADV_HUGEPAGE : MADV_NOHUGEPAGE;
		} else if (!strcmp(w[i], "ro")) s->prot = PROT_READ;
		else if (!strcmp(w[i], "none")) s->prot = PROT_NONE;
		else if (!strcmp(w[i], "rw")) s->prot = PROT_READ | PROT_WRITE;
		else if (!strcmp(w[i], "align")) {
			if (i + 1 >= l->nw || !parseSize(w[i + 1], &b) || b < PAGE || (b & (b - 1)))
				perr(n, "expected 'align SIZE' with a power-of-two size of at least 4K");
			s->align = b;
			i++;
		} else perr(n, "unknown map option '%s' (%s)", w[i], usage);
	}
	maxPagesPerProc += s->pages;
}

static const char *stateWords[] = {"none", "unmapped", "present", "swapped", "zero", "exclusive", "writable", "dirty", "young",
	"anon-exclusive", "swapcache", "thp", "pmd-mapped", "ksm", "pinned", "uffd-wp", "soft-dirty", NULL};

static void parseExpect(Line *l, Stmt *s)
{
	char **w = l->w;
	int n = l->line;
	if (l->nw == 2 && !strcmp(w[1], "consistent")) {
		s->op = OP_MODEL_ONLY;   /* the model's checker: nothing to check on a kernel */
		return;
	}
	if (l->nw >= 2 && !strcmp(w[1], "violation")) {
		if (l->nw != 3) perr(n, "expected 'expect violation RULE'");
		s->op = OP_MODEL_ONLY;
		return;
	}
	if (l->nw >= 2 && !strcmp(w[1], "ksm")) {
		/* expect ksm NAME=N...: /sys/kernel/mm/ksm files, self-zero-pages from
		 * /proc/self/ksm_stat (Scenario.swift KsmCountExpectation) */
		static const char *names[] = {"pages_shared", "pages_sharing", "stable_node_chains", "stable_node_dups",
			"ksm_zero_pages", "self-zero-pages", NULL};
		if (l->nw < 3) perr(n, "expected 'expect ksm NAME=N...'");
		s->op = OP_EXPK;
		s->c = calloc((size_t)l->nw, sizeof *s->c);
		for (int i = 2; i < l->nw; i++) {
			char *eq = strchr(w[i], '=');
			int k = 0;
			if (eq) *eq = 0;
			while (names[k] && (!eq || strcmp(names[k], w[i]))) k++;
			if (!names[k]) perr(n, "unknown KSM counter '%s'", w[i]);
			if (!isNum(eq + 1) || strlen(eq + 1) > 18) perr(n, "'%s' needs a decimal count", w[i]);
			Cond *c = &s->c[s->nc++];
			snprintf(c->word, sizeof c->word, "%s", names[k]);
			c->val = atol(eq + 1);
			*eq = '=';
		}
		return;
	}
	if (l->nw >= 2 && !strcmp(w[1], "uffd-events")) {
		if (l->nw != 3 || !isNum(w[2]) || strlen(w[2]) > 9) perr(n, "expected 'expect uffd-events N'");
		s->op = OP_EXPU;
		s->pages = atol(w[2]);
		return;
	}
	if (l->nw < 3) perr(n, "expected 'expect faults minor=N major=N' or 'expect PAGES CONDITION...'");
	if (!strcmp(w[1], "faults")) {
		s->op = OP_EXPF;
		for (int i = 2; i < l->nw; i++) {
			if (!strncmp(w[i], "minor=", 6) || !strncmp(w[i], "major=", 6)) {
				if (!isNum(w[i] + 6) || strlen(w[i] + 6) > 18) perr(n, "'%s' needs a decimal count", w[i]);
				if (w[i][1] == 'i') { s->hasMinor = 1; s->minor = atol(w[i] + 6); }
				else { s->hasMajor = 1; s->major = atol(w[i] + 6); }
			} else if (!strcmp(w[i], "phase")) {
				if (i + 1 >= l->nw) perr(n, "'phase' needs a name");
				snprintf(s->phase, sizeof s->phase, "%.31s", w[++i]);
			} else if (!s->proc[0] && !s->hasMinor && !s->hasMajor && !s->phase[0]) {
				snprintf(s->proc, sizeof s->proc, "%.31s", w[i]);
			} else {
				perr(n, "unexpected '%s' (expect faults [PROC] [phase NAME] minor=N major=N)", w[i]);
			}
		}
		if (!s->hasMinor && !s->hasMajor) perr(n, "expect faults needs minor=N, major=N or both");
		return;
	}
	s->op = OP_EXPP;
	s->r = parseRange(w[1], n);
	s->c = calloc((size_t)l->nw, sizeof *s->c);
	for (int i = 2; i < l->nw; i++) {
		Cond *c = &s->c[s->nc++];
		const char *word = w[i];
		c->neg = word[0] == '!';
		if (c->neg) word++;
		if (!strcmp(word, "==")) {
			if (c->neg || i + 1 >= l->nw || !parseValue(w[i + 1], &c->val) || c->val > 255) perr(n, "'==' needs a byte value (0..255)");
			c->kind = C_CONTENTS;
			i++;
		} else if (!strcmp(word, "kept-frame")) {
			c->kind = C_KEPT;
			if (i + 2 < l->nw && !strcmp(w[i + 1], "since")) {
				c->hasSince = 1;
				snprintf(c->since, sizeof c->since, "%.31s", w[i + 2]);
				i += 2;
			}
		} else if (!strcmp(word, "same-frame-as")) {
			if (i + 2 >= l->nw) perr(n, "expected 'same-frame-as PROC PAGES'");
			c->kind = C_SAME;
			c->r = parseRange(w[i + 2], n);
			snprintf(c->proc, sizeof c->proc, "%.31s", w[i + 1]);
			i += 2;
		} else if (!strcmp(word, "shared-with")) {
			if (i + 1 >= l->nw) perr(n, "expected 'shared-with PROC'");
			c->kind = C_SHARED;
			snprintf(c->proc, sizeof c->proc, "%.31s", w[i + 1]);
			i++;
		} else if (!strncmp(word, "count=", 6)) {
			if (c->neg || !isNum(word + 6) || strlen(word + 6) > 9) perr(n, "'%s' needs a decimal count", w[i]);
			c->kind = C_COUNT;
			c->val = atol(word + 6);
		} else {
			int ok = 0;
			for (int k = 0; stateWords[k]; k++)
				if (!strcmp(word, stateWords[k])) ok = 1;
			if (!ok) perr(n, "unknown page condition '%s'", w[i]);
			c->kind = C_WORD;
			snprintf(c->word, sizeof c->word, "%s", word);
		}
	}
}

static const struct { const char *word; int advice; } advices[] = {
	{"pageout", MADV_PAGEOUT}, {"cold", MADV_COLD}, {"dontneed", MADV_DONTNEED}, {"hugepage", MADV_HUGEPAGE},
	{"nohugepage", MADV_NOHUGEPAGE}, {"dontfork", MADV_DONTFORK}, {"dofork", MADV_DOFORK},
	{"wipeonfork", MADV_WIPEONFORK}, {"keeponfork", MADV_KEEPONFORK}, {"free", MADV_FREE},
#ifdef MADV_COLLAPSE
	{"collapse", MADV_COLLAPSE},
#else
	{"collapse", 25},
#endif
	{NULL, 0}};

static void parseOp(Line *l, Stmt *s, int depth)
{
	char **w = l->w;
	int n = l->line;
	const char *op = w[0];
#define NEEDW(c, usage) do { if (l->nw != (c)) perr(n, "expected '%s'", usage); } while (0)
	if (!strcmp(op, "map")) {
		s->op = OP_MAP;
		parseMap(l, s);
		return;
	}
	if (!strcmp(op, "read") || !strcmp(op, "write") || !strcmp(op, "readwrite")) {
		s->op = OP_ACCESS;
		s->rd = strcmp(op, "write") != 0;
		s->wr = strcmp(op, "read") != 0;
		if (s->wr) {
			char usage[40];
			snprintf(usage, sizeof usage, "%s PAGES VALUE", op);
			NEEDW(3, usage);
			long v;
			if (!parseValue(w[2], &v) || v > 255) perr(n, "'%s' is not a byte value (0..255, decimal or 0x-hexadecimal)", w[2]);
			s->value = (int)v;
		} else {
			NEEDW(2, "read PAGES");
		}
		s->r = parseRange(w[1], n);
		return;
	}
	for (int i = 0; advices[i].word; i++)
		if (!strcmp(op, advices[i].word)) {
			char usage[40];
			snprintf(usage, sizeof usage, "%s PAGES", op);
			NEEDW(2, usage);
			s->op = OP_MADVISE;
			s->advice = advices[i].advice;
			s->r = parseRange(w[1], n);
			return;
		}
	if (!strcmp(op, "populate")) {
		NEEDW(3, "populate read|write PAGES");
		if (strcmp(w[1], "read") && strcmp(w[1], "write")) perr(n, "expected 'populate read|write PAGES'");
		s->op = OP_MADVISE;
		s->advice = !strcmp(w[1], "read") ? MADV_POPULATE_READ : MADV_POPULATE_WRITE;
		s->r = parseRange(w[2], n);
		return;
	}
	if (!strcmp(op, "mremap")) {
		/* mremap PAGES N [pages] | SIZE [maymove] [fixed DEST] [as NAME]
		 * (Sources/MMModel/Scenario/Scenario+Mremap.swift) */
		const char *usage = "mremap PAGES N pages|SIZE [maymove] [fixed DEST] [as NAME]";
		if (l->nw < 3) perr(n, "expected '%s'", usage);
		s->op = OP_MREMAP;
		s->r = parseRange(w[1], n);
		int i = 2;
		s->pages = parseLength(w, l->nw, &i, n);
		for (; i < l->nw; i++) {
			if (!strcmp(w[i], "maymove")) {
				s->mayMove = 1;
			} else if (!strcmp(w[i], "fixed")) {
				if (i + 1 >= l->nw || s->hasFixed) perr(n, "expected 'fixed DEST' once, DEST a page like B[0]");
				s->fixed = parseRange(w[++i], n);
				if (s->fixed.all || s->fixed.lo != s->fixed.hi) perr(n, "'fixed' takes one page, like B[0]");
				s->hasFixed = s->mayMove = 1;
			} else if (!strcmp(w[i], "as")) {
				if (i + 1 >= l->nw || s->name[0]) perr(n, "expected 'as NAME' once");
				checkName(w[i + 1], n);
				snprintf(s->name, sizeof s->name, "%s", w[++i]);
			} else {
				perr(n, "unknown mremap option '%s' (%s)", w[i], usage);
			}
		}
		maxPagesPerProc += s->pages;   /* a new or grown mapping is observed too */
		return;
	}
	if (!strcmp(op, "ksm")) {
		NEEDW(3, "ksm merge|unmerge PAGES");
		if (strcmp(w[1], "merge") && strcmp(w[1], "unmerge")) perr(n, "expected 'ksm merge|unmerge PAGES'");
		s->op = !strcmp(w[1], "merge") ? OP_KSM_MERGE : OP_KSM_UNMERGE;
		s->r = parseRange(w[2], n);
		return;
	}
	if (!strcmp(op, "clear-refs")) {
		if (l->nw != 2 || strcmp(w[1], "soft-dirty")) perr(n, "expected 'clear-refs soft-dirty'");
		s->op = OP_CLEAR_REFS;
		return;
	}
	if (!strcmp(op, "uffd")) {
		const char *usage = "uffd register wp [unpopulated] [async] [fork-event] PAGES | uffd unregister|protect|unprotect PAGES";
		if (l->nw < 3) perr(n, "expected '%s'", usage);
		if (!strcmp(w[1], "register")) {
			if (l->nw < 4 || strcmp(w[2], "wp")) perr(n, "expected 'uffd register wp [unpopulated] [async] [fork-event] PAGES'");
			for (int i = 3; i < l->nw - 1; i++) {
				int f = !strcmp(w[i], "unpopulated") ? UFFD_CTX_UNPOP : !strcmp(w[i], "fork-event") ? UFFD_CTX_FORK
					: !strcmp(w[i], "async") ? UFFD_CTX_ASYNC : 0;
				if (!f || (s->uffdFeat & f))
					perr(n, "unknown or repeated uffd register option '%s' (unpopulated, async, fork-event)", w[i]);
				s->uffdFeat |= f;
			}
			s->op = OP_UFFD_REG;
			s->r = parseRange(w[l->nw - 1], n);
			return;
		}
		if (!strcmp(w[1], "unregister") || !strcmp(w[1], "protect") || !strcmp(w[1], "unprotect")) {
			if (l->nw != 3) perr(n, "expected 'uffd %s PAGES'", w[1]);
			s->op = !strcmp(w[1], "unregister") ? OP_UFFD_UNREG : OP_UFFD_WP;
			s->wr = !strcmp(w[1], "protect");
			s->r = parseRange(w[2], n);
			return;
		}
		perr(n, "unknown uffd operation '%s' (%s)", w[1], usage);
	}
	if (!strcmp(op, "mprotect")) {
		NEEDW(3, "mprotect PAGES none|ro|rw");
		if (!strcmp(w[2], "none")) s->prot = PROT_NONE;
		else if (!strcmp(w[2], "ro")) s->prot = PROT_READ;
		else if (!strcmp(w[2], "rw")) s->prot = PROT_READ | PROT_WRITE;
		else perr(n, "unknown protection '%s' (none, ro, rw)", w[2]);
		s->op = OP_MPROTECT;
		s->r = parseRange(w[1], n);
		return;
	}
	if (!strcmp(op, "munmap")) {
		NEEDW(2, "munmap PAGES");
		s->op = OP_MUNMAP;
		s->r = parseRange(w[1], n);
		return;
	}
	if (!strcmp(op, "pause")) {
		NEEDW(1, "pause");
		if (depth == 0) perr(n, "only a child can pause (the first process has no one to return to)");
		s->op = OP_PAUSE;
		return;
	}
	if (!strcmp(op, "resume")) {
		NEEDW(2, "resume NAME");
		s->op = OP_RESUME;
		snprintf(s->name, sizeof s->name, "%.31s", w[1]);
		return;
	}
	if (!strcmp(op, "exit")) {
		NEEDW(1, "exit");
		s->op = OP_EXIT;
		return;
	}
	if (!strcmp(op, "pin")) {
		NEEDW(3, "pin ro|rw PAGES");
		if (strcmp(w[1], "ro") && strcmp(w[1], "rw")) perr(n, "expected 'pin ro|rw PAGES'");
		s->op = OP_PIN;
		s->wr = !strcmp(w[1], "rw");
		s->r = parseRange(w[2], n);
		return;
	}
	if (!strcmp(op, "unpin")) {
		NEEDW(2, "unpin PAGES");
		s->op = OP_UNPIN;
		s->r = parseRange(w[1], n);
		return;
	}
	if (!strcmp(op, "phase") || !strcmp(op, "snapshot")) {
		char usage[40];
		snprintf(usage, sizeof usage, "%s NAME", op);
		NEEDW(2, usage);
		checkName(w[1], n);
		snprintf(s->name, sizeof s->name, "%s", w[1]);
		s->op = op[0] == 'p' ? OP_PHASE : OP_SNAPSHOT;
		if (s->op == OP_SNAPSHOT) {
			if (!strcmp(w[1], "end")) perr(n, "'end' names the final snapshot; choose another name");
			nSnapStmts++;
		}
		return;
	}
	if (!strcmp(op, "expect")) {
		parseExpect(l, s);
		return;
	}
	if (!strcmp(op, "reclaim"))
		perr(n, "'reclaim' is model-only: a kernel cannot be made to reclaim chosen pages globally");
	perr(n, "unknown operation '%s'", op);
}

static void parseBlock(Block *b, int depth)
{
	char phases[64][NAMELEN];
	int nph = 0;
	while (pos < nlines) {
		Line *l = &lines[pos++];
		int n = l->line;
		if (l->nw == 1 && !strcmp(l->w[0], "}")) {
			if (depth == 0) perr(n, "'}' without an open fork block");
			return;
		}
		if (!strcmp(l->w[0], "fork")) {
			if (!((l->nw == 3 || l->nw == 2) && !strcmp(l->w[l->nw - 1], "{")))
				perr(n, "expected 'fork NAME {' (the child's block follows, closed by '}')");
			char name[NAMELEN];
			if (l->nw == 3) {
				checkName(l->w[1], n);
				snprintf(name, sizeof name, "%s", l->w[1]);
			} else {
				snprintf(name, sizeof name, "child");
				for (int i = 2; nameUsed(name); i++) snprintf(name, sizeof name, "child%d", i);
			}
			if (nameUsed(name)) perr(n, "process name '%s' is already used", name);
			if (nProcNames == MAXPROC) perr(n, "too many processes (mmm-live runs at most %d)", MAXPROC);
			snprintf(procNames[nProcNames++], NAMELEN, "%s", name);
			Stmt *s = push(b);
			s->line = n;
			s->op = OP_FORK;
			snprintf(s->text, sizeof s->text, "%s", l->text);
			snprintf(s->name, sizeof s->name, "%s", name);
			nForks++;
			parseBlock(&s->body, depth + 1);
			continue;
		}
		if (isHeaderWord(l->w[0])) perr(n, "header line '%s' after the first operation", l->w[0]);
		Stmt *s = push(b);
		s->line = n;
		snprintf(s->text, sizeof s->text, "%s", l->text);
		if (!strcmp(l->w[0], "try")) {
			/* `try OP`: the operations that can fail (the model's list) */
			static const char *tryable[] = {"read", "write", "readwrite", "pageout", "cold", "dontneed", "hugepage",
				"nohugepage", "dontfork", "dofork", "wipeonfork", "keeponfork", "populate", "mprotect", "munmap", "pin",
				"unpin", "exit", "free", "ksm", "uffd", "mremap", "collapse", NULL};
			int ok = 0;
			for (int i = 0; l->nw > 1 && tryable[i]; i++) ok |= !strcmp(l->w[1], tryable[i]);
			if (!ok) perr(n, "'try' goes before an operation that can fail");
			Line rest = *l;
			rest.nw--;
			memmove(rest.w, rest.w + 1, (size_t)rest.nw * sizeof rest.w[0]);
			s->mayFail = 1;
			parseOp(&rest, s, depth);
		} else {
			parseOp(l, s, depth);
		}
		if (s->op == OP_PHASE) {
			for (int i = 0; i < nph; i++)
				if (!strcmp(phases[i], s->name)) perr(n, "phase '%s' is already used in this block", s->name);
			if (nph < 64) snprintf(phases[nph++], NAMELEN, "%s", s->name);
		}
	}
	if (depth > 0) perr(nlines ? lines[nlines - 1].line : 0, "fork block not closed by '}'");
}

static void defaultHeader(void)
{
	memset(&H, 0, sizeof H);
	snprintf(H.arch, sizeof H.arch, "x86_64");
	snprintf(H.kernel, sizeof H.kernel, "6.18");
	H.thp = THP_MADVISE;
	H.orders[9] = THP_INHERIT;
	H.hzp = 1;
	H.swapSync = 1;
	H.pageCluster = 3;
	H.frames = 16384;
	H.swapSlots = 16384;
}

/* 0 on success; else perrLine / perrMsg */
static int parseScenario(char *text)
{
	defaultHeader();
	snprintf(procNames[nProcNames++], NAMELEN, "parent");
	if (setjmp(perrEnv)) return -1;
	splitLines(text);
	while (pos < nlines && parseHeaderLine(&lines[pos])) pos++;
	parseBlock(&Body, 0);
	return 0;
}

/* ------------------------------------------------------------------------- */
/* The shared log                                                             */
/* ------------------------------------------------------------------------- */

enum { ST_RUNNING, ST_PAUSED, ST_FINISHED, ST_EXITED };
static const char *statusWord[] = {"running", "paused", "finished", "exited"};
enum { S_UNMAPPED, S_NONE, S_PRESENT, S_SWAPPED };
static const char *stateWord[] = {"unmapped", "none", "present", "swapped"};

typedef struct {
	char name[NAMELEN];
	unsigned long start;
	long pages;
} Map;

typedef struct {
	char name[NAMELEN];
	pid_t pid;
	int status, returnTo, nmaps, openPhase;
	Map maps[MAXMAP];
	long minor, major;   /* sums of the operation windows */
	int curLine;         /* the line being executed (uffd events name it) */
	int forkingChild;    /* during fork(): the child's index (UFFD_EVENT_FORK) */
	/* a userfaultfd context of this process's mm held by another process (a
	 * parent's handler got it through UFFD_EVENT_FORK): its pid and fd there */
	pid_t uffdHolder[UFFD_NCTX];
	int uffdHolderFd[UFFD_NCTX];
} Proc;

typedef struct {
	int proc, ended;
	char name[NAMELEN];
	long smin, smaj, emin, emaj;
} Phase;

typedef struct {
	int proc, map, state, data, frame, swapid, kept, nsh;
	long index, sh0;
	uint64_t flags, pfn, swp;
	int swtype, count;
	uint64_t kpf;
} Rec;

typedef struct {
	int proc, map;
	long index;
} Ref;

typedef struct {
	char name[NAMELEN];
	int line, np;
	int procs[MAXPROC];
	long off[MAXPROC], n[MAXPROC];
} Snap;

typedef struct {
	int line;
	char msg[600];
} Msg;

typedef struct {
	uint64_t key;
	int id;
} HEnt;

typedef struct {
	int proc, map, line, write;
	long index;
	unsigned long addr;
} UEvent;
#define MAXUEV 4096

typedef struct {
	volatile int baton;
	int nprocs, nphases, nsnaps, nfails, held, haveErr;
	long obsFaults;
	Proc procs[MAXPROC];
	Phase phases[MAXPHASE];
	Snap snaps[MAXSNAP];
	Msg fails[MAXFAIL];
	Msg err;
	int nuev;
	UEvent uev[MAXUEV];
	long nrecs, reccap, nrefs, refcap, htcap;
	int nframes, nswaps;
	Rec *recs;
	Ref *refs;
	HEnt *ht;
	/* an observation request: process reqFrom asks reqTarget for its pages */
	int reqActive, reqTarget, reqFrom, reqMap;
	long reqLo, reqHi;
	Rec *reqOut;
} Log;

static Log *L;
static size_t logSize;
static int me = -1;   /* this process's index; CONTROLLER in the controller */
static struct rusage ruA, ruB;
static struct rusage ruObsA, ruObsB;

/* Static buffers for observation (no allocation while observing). */
static uint64_t pmBuf[1 << 16];
static unsigned char pageBuf[PAGE];
static char mapsBuf[1 << 17];
static unsigned long vmaStart[4096], vmaEnd[4096];
static char vmaRead[4096];
static int nvma;

static void logInit(void)
{
	long P = nForks + 1, S = nSnapStmts + 1, T = maxPagesPerProc;
	long recs = (S + 4) * P * T + 16, refs = recs * P + 16, ht = 64;
	while (ht < 4 * recs) ht *= 2;
	logSize = sizeof(Log) + (size_t)(recs + T + 1) * sizeof(Rec) + (size_t)refs * sizeof(Ref) + (size_t)ht * sizeof(HEnt);
	logSize = (logSize + PAGE - 1) & ~(PAGE - 1);
	void *p = mmap(NULL, logSize, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmm-live: mmap of the log");
		exit(2);
	}
	L = p;
	L->recs = (Rec *)(L + 1);
	L->reccap = recs;
	L->refs = (Ref *)(L->recs + recs);
	L->refcap = refs;
	L->ht = (HEnt *)(L->refs + refs);
	L->htcap = ht;
	L->reqOut = (Rec *)(L->ht + ht);
}

/* ------------------------------------------------------------------------- */
/* Fault windows and priming                                                  */
/* ------------------------------------------------------------------------- */

extern char __data_start[], _end[];

static void __attribute__((noinline)) primeStack(void)
{
	volatile char buf[256 * 1024];
	for (size_t i = 0; i < sizeof buf; i += PAGE) buf[i] = 0;
}

static char primeMaps[1 << 16];

/* Touch every page this process uses between or inside fault windows, so that
 * neither the windows nor observation fault on the runner's own memory: the
 * pages of every file-backed mapping (code and read-only data of mmm-live and
 * libc: text is not copied at fork, the child would fault it in again), the
 * runner's data and bss (copy-on-write after fork), the stack, the shared log. */
static void prime(void)
{
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		size_t n = 0;
		for (ssize_t k; n < sizeof primeMaps - 1 && (k = read(fd, primeMaps + n, sizeof primeMaps - 1 - n)) > 0;) n += (size_t)k;
		primeMaps[n] = 0;
		close(fd);
		for (char *p = primeMaps; p && *p;) {
			char *nl = strchr(p, '\n');
			if (nl) *nl = 0;
			unsigned long a, b;
			char perm[8];
			int off = 0;
			if (sscanf(p, "%lx-%lx %7s %*s %*s %*s %n", &a, &b, perm, &off) >= 3 && off > 0 && p[off] == '/' && perm[0] == 'r' && perm[1] != 'w')
				for (unsigned long x = a; x < b; x += PAGE) (void)*(volatile char *)x;
			p = nl ? nl + 1 : NULL;
		}
	}
	for (char *p = (char *)((uintptr_t)__data_start & ~(PAGE - 1)); p < _end; p += PAGE) {
		volatile char *q = p < __data_start ? __data_start : p;
		*q = *q;
	}
	primeStack();
	getrusage(RUSAGE_THREAD, &ruA);
	memset(pageBuf, 0, PAGE);
	for (size_t o = 0; o < logSize; o += PAGE) (void)((volatile char *)L)[o];   /* read: others may be writing */
}

static void winBegin(void) { getrusage(RUSAGE_THREAD, &ruA); }
static void winEnd(void)
{
	getrusage(RUSAGE_THREAD, &ruB);
	L->procs[me].minor += ruB.ru_minflt - ruA.ru_minflt;
	L->procs[me].major += ruB.ru_majflt - ruA.ru_majflt;
}

/* ------------------------------------------------------------------------- */
/* Baton                                                                       */
/* ------------------------------------------------------------------------- */

static void passBaton(int to)
{
	__atomic_store_n(&L->baton, to, __ATOMIC_SEQ_CST);
	syscall(SYS_futex, &L->baton, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

static void setError(int line, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void setError(int line, const char *fmt, ...)
{
	if (L->haveErr) return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(L->err.msg, sizeof L->err.msg, fmt, ap);
	va_end(ap);
	L->err.line = line;
	L->haveErr = 1;
}

static void obsBegin(void);
static void obsEnd(const char *what, int line);
static int readKnob(const char *path, char *out, size_t n);
static int writeFile(const char *path, const char *v);
static void observeSelf(int m, long lo, long hi, Rec *out);

static int alive(pid_t pid) { return pid > 0 && kill(pid, 0) == 0; }

/* Waits until the baton names `who`. The controller also watches the holder:
 * if it died without passing the baton, the run stops with an error. */
static void waitBaton(int who)
{
	time_t start = who == CONTROLLER ? time(NULL) : 0;   /* the vDSO is not primed in the others */
	for (;;) {
		int b = __atomic_load_n(&L->baton, __ATOMIC_SEQ_CST);
		if (b == who && L->reqActive && L->reqTarget == who && who != CONTROLLER) {
			obsBegin();
			observeSelf(L->reqMap, L->reqLo, L->reqHi, L->reqOut);
			obsEnd("request", 0);
			L->reqActive = 0;
			passBaton(L->reqFrom);
			continue;
		}
		if (b == who) return;
		struct timespec ts = {1, 0};
		syscall(SYS_futex, &L->baton, FUTEX_WAIT, b, &ts, NULL, 0);
		if (who == CONTROLLER && __atomic_load_n(&L->baton, __ATOMIC_SEQ_CST) != CONTROLLER) {
			int h = L->baton;
			if (h >= 0 && h < L->nprocs && L->procs[h].pid > 0 && !alive(L->procs[h].pid)) {
				setError(0, "process %s died without passing control (killed by a signal?)", L->procs[h].name);
				L->procs[h].status = ST_EXITED;
				L->baton = CONTROLLER;
				return;
			}
			if (time(NULL) - start > 300) {
				setError(0, "timed out after 300 s (process %s holds control)", h >= 0 && h < L->nprocs ? L->procs[h].name : "?");
				L->baton = CONTROLLER;
				return;
			}
		}
	}
}

/* Waits until process i is gone (its address space torn down). */
static void waitGone(int i)
{
	pid_t pid = L->procs[i].pid;
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0) return;
	struct pollfd p = {.fd = fd, .events = POLLIN};
	poll(&p, 1, 30000);
	close(fd);
}

/* ------------------------------------------------------------------------- */
/* Observation                                                                 */
/* ------------------------------------------------------------------------- */

static int kpcFd = -1, kpfFd = -1;

static int readAll(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	for (;;) {
		ssize_t k = read(fd, buf + n, cap - 1 - n);
		if (k <= 0) break;
		n += (size_t)k;
		if (n >= cap - 1) break;
	}
	buf[n] = 0;
	return (int)n;
}

static void loadVmas(void)
{
	nvma = 0;
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0) return;
	readAll(fd, mapsBuf, sizeof mapsBuf);
	close(fd);
	for (char *p = mapsBuf; *p && nvma < 4096;) {
		char *end;
		vmaStart[nvma] = strtoul(p, &end, 16);
		vmaEnd[nvma] = strtoul(end + 1, &end, 16);
		vmaRead[nvma] = end[1] == 'r';
		nvma++;
		char *nl = strchr(end, '\n');
		if (!nl) break;
		p = nl + 1;
	}
}

/* 0: outside every VMA; 1: inside, not readable; 2: readable */
static int vmaOf(unsigned long a)
{
	for (int i = 0; i < nvma; i++)
		if (a >= vmaStart[i] && a < vmaEnd[i]) return 1 + vmaRead[i];
	return 0;
}

/* Observes pages [lo, hi] of mapping m of this process into out[]. Contents are
 * read by a plain load from present, readable pages (no fault, no GUP: a read
 * through /proc/PID/mem would mark the folio accessed and could leave it in a
 * per-CPU LRU batch holding a reference, which changes what a later write
 * fault decides); other pages read data=?. */
static void observeSelf(int m, long lo, long hi, Rec *out)
{
	Map *mp = &L->procs[me].maps[m];
	loadVmas();
	int pmFd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	const long cap = (long)(sizeof pmBuf / sizeof pmBuf[0]);
	for (long k = lo; k <= hi; k++) {
		Rec *r = &out[k - lo];
		memset(r, 0, sizeof *r);
		r->proc = me;
		r->map = m;
		r->index = k;
		r->data = -2;   /* none */
		r->kept = -1;
		r->state = S_UNMAPPED;
		unsigned long a = mp->start + (unsigned long)k * PAGE;
		if ((k - lo) % cap == 0) {
			long cnt = hi - k + 1 < cap ? hi - k + 1 : cap;
			if (pmFd < 0 || pread(pmFd, pmBuf, (size_t)cnt * 8, (off_t)(a / PAGE * 8)) != cnt * 8) memset(pmBuf, 0, sizeof pmBuf);
		}
		int v = vmaOf(a);
		if (!v) continue;
		uint64_t wd = pmBuf[(k - lo) % cap];
		r->flags = wd & ~PM_FRAME;
		if (wd & PM_PRESENT) {
			r->state = S_PRESENT;
			r->pfn = wd & PM_FRAME;
			uint64_t x = 0;
			if (kpcFd >= 0 && pread(kpcFd, &x, 8, (off_t)(r->pfn * 8)) == 8) r->count = (int)x;
			x = 0;
			if (kpfFd >= 0 && pread(kpfFd, &x, 8, (off_t)(r->pfn * 8)) == 8) r->kpf = x & KPF_RELEVANT;
			r->data = v == 2 ? *(volatile unsigned char *)a : -1;
		} else if (wd & PM_SWAP) {
			r->state = S_SWAPPED;
			r->swtype = (int)(wd & 31);
			r->swp = (wd & PM_FRAME) >> 5;
			r->data = -1;
		} else {
			r->state = S_NONE;
		}
	}
	if (pmFd >= 0) close(pmFd);
}

static void passBaton(int to);
static void waitBaton(int who);

/* Observes pages of process pi: itself, or by asking pi to observe itself (it
 * waits for the baton; the request hands it the baton and takes it back). */
static void observeRange(int pi, int m, long lo, long hi, Rec *out)
{
	if (pi == me) {
		observeSelf(m, lo, hi, out);
		return;
	}
	if (L->procs[pi].status == ST_EXITED) {
		for (long k = lo; k <= hi; k++) {
			Rec *r = &out[k - lo];
			memset(r, 0, sizeof *r);
			*r = (Rec){.proc = pi, .map = m, .index = k, .data = -2, .kept = -1, .state = S_UNMAPPED};
		}
		return;
	}
	L->reqTarget = pi;
	L->reqFrom = me;
	L->reqMap = m;
	L->reqLo = lo;
	L->reqHi = hi;
	L->reqActive = 1;
	passBaton(pi);
	waitBaton(me);
	memcpy(out, L->reqOut, (size_t)(hi - lo + 1) * sizeof *out);
}

/* Observes all pages of process pi into out[]; returns the count. */
static long observeProc(int pi, Rec *out)
{
	Proc *p = &L->procs[pi];
	long n = 0;
	for (int m = 0; m < p->nmaps; m++) {
		observeRange(pi, m, 0, p->maps[m].pages - 1, out + n);
		n += p->maps[m].pages;
	}
	return n;
}

static void obsBegin(void) { getrusage(RUSAGE_THREAD, &ruObsA); }
static void obsEnd(const char *what, int line)
{
	getrusage(RUSAGE_THREAD, &ruObsB);
	long d = (ruObsB.ru_minflt - ruObsA.ru_minflt) + (ruObsB.ru_majflt - ruObsA.ru_majflt);
	if (d > 0) {
		L->obsFaults += d;
		fprintf(stderr, "mmm-live: warning: observing (%s, line %d) took %ld faults\n", what, line, d);
	}
}

static int isZero(const Rec *r) { return r->state == S_PRESENT && (r->kpf & KPF_ZERO); }

/* A swap PTE that names a slot of a swap device. The top swap types are the
 * kernel's special entries (PTE markers: a UFFD_WP marker reads as type 31,
 * offset 1; migration, hwpoison, device entries); swap devices take the lowest
 * free types, and MAX_SWAPFILES is at least 23 on every configuration. A
 * special entry gets no swap id and shares with nothing (the model prints a
 * marker as `swapped uffd-wp` without a swap id). */
#define SWP_SPECIAL_MIN 23
static int isSlot(const Rec *r) { return r->state == S_SWAPPED && r->swp > 0 && r->swtype < SWP_SPECIAL_MIN; }

static int idFor(uint64_t key, int frame)
{
	uint64_t h = key * 0x9E3779B97F4A7C15ULL;
	for (long i = (long)(h >> 20) & (L->htcap - 1);; i = (i + 1) & (L->htcap - 1)) {
		if (L->ht[i].key == key) return L->ht[i].id;
		if (L->ht[i].key == 0) {
			L->ht[i].key = key;
			L->ht[i].id = frame ? ++L->nframes : ++L->nswaps;
			return L->ht[i].id;
		}
	}
}

static uint64_t frameKey(const Rec *r) { return r->pfn + 1; }
static uint64_t swapKey(const Rec *r) { return (1ULL << 63) | ((uint64_t)r->swtype << 55) | r->swp; }

static int sameEntry(const Rec *a, const Rec *b)
{
	if (a->state == S_PRESENT && b->state == S_PRESENT) return a->pfn == b->pfn;
	if (isSlot(a) && isSlot(b)) return a->swp == b->swp && a->swtype == b->swtype;
	return 0;
}

static void takeSnapshot(const char *name, int line)
{
	obsBegin();
	if (L->nsnaps == MAXSNAP) {
		setError(line, "too many snapshots");
		return;
	}
	Snap *s = &L->snaps[L->nsnaps];
	memset(s, 0, sizeof *s);
	snprintf(s->name, sizeof s->name, "%s", name);
	s->line = line;
	long first = L->nrecs;
	for (int i = 0; i < L->nprocs; i++) {
		if (L->procs[i].status == ST_EXITED) continue;
		if (L->nrecs + maxPagesPerProc > L->reccap) {
			setError(line, "observation log full");
			return;
		}
		long n = observeProc(i, L->recs + L->nrecs);
		s->procs[s->np] = i;
		s->off[s->np] = L->nrecs;
		s->n[s->np] = n;
		s->np++;
		for (long k = 0; k < n; k++) {
			Rec *r = &L->recs[L->nrecs + k];
			if (r->state == S_PRESENT && !isZero(r)) r->frame = idFor(frameKey(r), 1);
			else if (isSlot(r)) r->swapid = idFor(swapKey(r), 0);
		}
		L->nrecs += n;
	}
	Snap *prev = L->nsnaps > 0 ? &L->snaps[L->nsnaps - 1] : NULL;
	for (long k = first; k < L->nrecs; k++) {
		Rec *r = &L->recs[k];
		r->sh0 = L->nrefs;
		if ((r->state == S_PRESENT && !isZero(r)) || isSlot(r))
			for (long j = first; j < L->nrecs; j++) {
				Rec *o = &L->recs[j];
				if (o->proc == r->proc || !sameEntry(r, o)) continue;
				if (L->nrefs < L->refcap) L->refs[L->nrefs++] = (Ref){o->proc, o->map, o->index};
				r->nsh++;
			}
		if (prev && r->state == S_PRESENT)
			for (int q = 0; q < prev->np; q++) {
				if (prev->procs[q] != r->proc) continue;
				for (long j = prev->off[q]; j < prev->off[q] + prev->n[q]; j++) {
					Rec *o = &L->recs[j];
					if (o->map == r->map && o->index == r->index && o->state == S_PRESENT) r->kept = o->pfn == r->pfn;
				}
			}
	}
	L->nsnaps++;
	obsEnd("snapshot", line);
}

/* ------------------------------------------------------------------------- */
/* Expectations                                                               */
/* ------------------------------------------------------------------------- */

static int procByName(const char *name)
{
	for (int i = 0; i < L->nprocs; i++)
		if (!strcmp(L->procs[i].name, name)) return i;
	return -1;
}

static int mapByName(int pi, const char *name)
{
	for (int m = 0; m < L->procs[pi].nmaps; m++)
		if (!strcmp(L->procs[pi].maps[m].name, name)) return m;
	return -1;
}

static void addFail(int line, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void addFail(int line, const char *fmt, ...)
{
	if (L->nfails == MAXFAIL) return;
	Msg *f = &L->fails[L->nfails++];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->msg, sizeof f->msg, fmt, ap);
	va_end(ap);
	f->line = line;
}

/* Resolves a range in process pi: 0 and an error when it does not resolve. */
static int resolve(const Stmt *s, const Range *r, int pi, int *m, long *lo, long *hi)
{
	*m = mapByName(pi, r->map);
	if (*m < 0) {
		setError(s->line, "no mapping '%s' in %s", r->map, L->procs[pi].name);
		return 0;
	}
	long pages = L->procs[pi].maps[*m].pages;
	*lo = r->all ? 0 : r->lo;
	*hi = r->all ? pages - 1 : r->hi;
	if (*hi >= pages) {
		char t[80];
		rangeText(r, t, sizeof t);
		setError(s->line, "%s is outside %s (%ld pages)", t, r->map, pages);
		return 0;
	}
	return 1;
}

static int expectFaults(const Stmt *s)
{
	int p = me;
	if (s->proc[0] && (p = procByName(s->proc)) < 0) {
		setError(s->line, "no process named '%s' (yet)", s->proc);
		return 0;
	}
	int k = -1;
	if (s->phase[0]) {
		for (int i = 0; i < L->nphases; i++)
			if (L->phases[i].proc == p && !strcmp(L->phases[i].name, s->phase)) k = i;
		if (k < 0) {
			setError(s->line, "%s has no phase '%s'", L->procs[p].name, s->phase);
			return 0;
		}
	} else {
		k = L->procs[p].openPhase;
		if (k < 0) {
			setError(s->line, "%s has no open phase (it exited); name one with 'phase NAME'", L->procs[p].name);
			return 0;
		}
	}
	Phase *ph = &L->phases[k];
	long emin = ph->ended ? ph->emin : L->procs[p].minor, emaj = ph->ended ? ph->emaj : L->procs[p].major;
	long gmin = emin - ph->smin, gmaj = emaj - ph->smaj;
	if ((!s->hasMinor || s->minor == gmin) && (!s->hasMajor || s->major == gmaj)) {
		L->held++;
	} else {
		char want[64] = "";
		if (s->hasMinor) snprintf(want, sizeof want, "minor=%ld", s->minor);
		if (s->hasMajor) snprintf(want + strlen(want), sizeof want - strlen(want), "%smajor=%ld", s->hasMinor ? " " : "", s->major);
		addFail(s->line, "'%s': %s phase %s has minor=%ld major=%ld, expected %s", s->text, L->procs[p].name, ph->name, gmin, gmaj, want);
	}
	return 1;
}

static Rec scratchA[1 << 14], scratchB[1 << 14], scratchC[1];
static int sharedCacheProc = -1;
static long sharedCacheN;

/* nil (NULL) when c holds for r, else why not. Model-only words hold. */
static const char *check(const Stmt *s, const Cond *c, const Rec *r, long n, char *why, size_t wn, int *stop)
{
	switch (c->kind) {
	case C_WORD: {
		const char *w = c->word;
		int holds;
		if (!strcmp(w, "none")) holds = r->state == S_NONE;
		else if (!strcmp(w, "unmapped")) holds = r->state == S_UNMAPPED;
		else if (!strcmp(w, "present")) holds = r->state == S_PRESENT;
		else if (!strcmp(w, "swapped")) holds = r->state == S_SWAPPED;
		else if (!strcmp(w, "zero")) holds = isZero(r);
		else if (!strcmp(w, "exclusive")) holds = (r->flags & PM_EXCL) != 0;
		else if (!strcmp(w, "swapcache") && r->state == S_SWAPPED) return NULL;   /* no PFN: not visible */
		else if (!strcmp(w, "swapcache")) holds = r->state == S_PRESENT && (r->kpf & KPF_SWAPCACHE);
		else if (!strcmp(w, "thp")) holds = r->state == S_PRESENT && (r->kpf & KPF_THP);
		else if (!strcmp(w, "ksm")) holds = r->state == S_PRESENT && (r->kpf & KPF_KSM);
		else if (!strcmp(w, "uffd-wp")) holds = (r->flags & PM_UFFD_WP) != 0;
		else if (!strcmp(w, "soft-dirty")) holds = (r->flags & PM_SOFT_DIRTY) != 0;
		else return NULL;   /* model-only: writable, dirty, young, anon-exclusive, pmd-mapped, pinned */
		if (holds == !c->neg) return NULL;
		snprintf(why, wn, "%s %s", c->neg ? "is" : "is not", w);
		return why;
	}
	case C_COUNT:
		if (r->state == S_PRESENT && r->count == c->val) return NULL;
		if (r->state == S_PRESENT) snprintf(why, wn, "has count=%d, not %ld", r->count, c->val);
		else snprintf(why, wn, "has count=-, not %ld", c->val);
		return why;
	case C_CONTENTS: {
		int d = r->state == S_NONE ? 0 : r->data;
		if (d == -1 || d == c->val) return NULL;   /* unreadable without faulting: not checked */
		if (d == -2) snprintf(why, wn, "holds nothing readable, not %ld", c->val);
		else snprintf(why, wn, "holds %d, not %ld", d, c->val);
		return why;
	}
	case C_KEPT: {
		Snap *sn = NULL;
		if (c->hasSince) {
			for (int i = 0; i < L->nsnaps && !sn; i++)
				if (!strcmp(L->snaps[i].name, c->since)) sn = &L->snaps[i];
			if (!sn) {
				setError(s->line, "no snapshot named '%s' was taken before this line", c->since);
				*stop = 1;
				return NULL;
			}
		} else {
			if (L->nsnaps == 0) {
				setError(s->line, "kept-frame needs a snapshot taken before this line");
				*stop = 1;
				return NULL;
			}
			sn = &L->snaps[L->nsnaps - 1];
		}
		int holds = 0;
		for (int q = 0; q < sn->np; q++)
			if (sn->procs[q] == r->proc)
				for (long j = sn->off[q]; j < sn->off[q] + sn->n[q]; j++) {
					Rec *o = &L->recs[j];
					if (o->map == r->map && o->index == r->index)
						holds = r->state == S_PRESENT && o->state == S_PRESENT && o->pfn == r->pfn;
				}
		if (holds == !c->neg) return NULL;
		snprintf(why, wn, "%s since snapshot %s", c->neg ? "kept its frame" : "did not keep its frame", sn->name);
		return why;
	}
	case C_SAME: {
		int o = procByName(c->proc), om;
		long olo, ohi;
		if (o < 0) {
			setError(s->line, "no process named '%s' (yet)", c->proc);
			*stop = 1;
			return NULL;
		}
		if (!resolve(s, &c->r, o, &om, &olo, &ohi)) {
			*stop = 1;
			return NULL;
		}
		if (n > ohi - olo) {
			char t[80];
			rangeText(&c->r, t, sizeof t);
			setError(s->line, "%s of %s has fewer pages than the expectation's range", t, c->proc);
			*stop = 1;
			return NULL;
		}
		observeRange(o, om, olo + n, olo + n, scratchC);
		int holds = sameEntry(r, &scratchC[0]);
		if (holds == !c->neg) return NULL;
		snprintf(why, wn, "%s the same frame as %s:%s[%ld]", c->neg ? "is" : "is not", c->proc, c->r.map, olo + n);
		return why;
	}
	case C_SHARED: {
		int o = procByName(c->proc);
		if (o < 0) {
			setError(s->line, "no process named '%s' (yet)", c->proc);
			*stop = 1;
			return NULL;
		}
		int holds = 0;
		if (!isZero(r) && (r->state == S_PRESENT || r->state == S_SWAPPED)) {
			if (sharedCacheProc != o) {
				sharedCacheN = observeProc(o, scratchB);
				sharedCacheProc = o;
			}
			for (long j = 0; j < sharedCacheN && !holds; j++) holds = sameEntry(r, &scratchB[j]);
		}
		if (holds == !c->neg) return NULL;
		snprintf(why, wn, "%s shared with %s", c->neg ? "is" : "is not", c->proc);
		return why;
	}
	}
	return NULL;
}

static int expectPages(const Stmt *s)
{
	int m;
	long lo, hi;
	if (!resolve(s, &s->r, me, &m, &lo, &hi)) return 0;
	if (hi - lo + 1 > (long)(sizeof scratchA / sizeof scratchA[0])) {
		setError(s->line, "mmm-live checks at most %zu pages per expect", sizeof scratchA / sizeof scratchA[0]);
		return 0;
	}
	obsBegin();
	observeRange(me, m, lo, hi, scratchA);
	long nfail = 0;
	char first[400] = "", why[200];
	int stop = 0;
	sharedCacheProc = -1;
	for (long k = lo; k <= hi && !stop; k++) {
		for (int i = 0; i < s->nc && !stop; i++) {
			const char *w = check(s, &s->c[i], &scratchA[k - lo], k - lo, why, sizeof why, &stop);
			if (w && !stop) {
				if (!nfail++) snprintf(first, sizeof first, "%s[%ld] %s", s->r.map, k, w);
				break;
			}
		}
	}
	obsEnd("expect", s->line);
	if (stop) return 0;
	if (!nfail) {
		L->held++;
	} else if (nfail == 1) {
		addFail(s->line, "'%s' in %s: %s", s->text, L->procs[me].name, first);
	} else {
		addFail(s->line, "'%s' in %s: %s (%ld of %ld pages fail; first shown)", s->text, L->procs[me].name, first, nfail, hi - lo + 1);
	}
	return 1;
}

/* ------------------------------------------------------------------------- */
/* Operations                                                                  */
/* ------------------------------------------------------------------------- */

static sigjmp_buf segvEnv;
static volatile sig_atomic_t inAccess;

static void onSegv(int sig)
{
	if (inAccess) {
		inAccess = 0;
		siglongjmp(segvEnv, 1);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

typedef struct {
	unsigned long addr, len;
	int fd, pipeFd, uring;
} Pin;
static Pin pins[MAXPIN];
static int npins;

static void openPhase(int i, const char *name)
{
	Proc *p = &L->procs[i];
	if (p->openPhase >= 0) {
		Phase *o = &L->phases[p->openPhase];
		o->emin = p->minor;
		o->emaj = p->major;
		o->ended = 1;
	}
	if (L->nphases == MAXPHASE) {
		p->openPhase = -1;
		return;
	}
	Phase *ph = &L->phases[L->nphases];
	memset(ph, 0, sizeof *ph);
	ph->proc = i;
	snprintf(ph->name, sizeof ph->name, "%s", name);
	ph->smin = p->minor;
	ph->smaj = p->major;
	p->openPhase = L->nphases++;
}

static void closePhase(int i)
{
	Proc *p = &L->procs[i];
	if (p->openPhase < 0) return;
	Phase *o = &L->phases[p->openPhase];
	o->emin = p->minor;
	o->emaj = p->major;
	o->ended = 1;
	p->openPhase = -1;
}

static int curMayFail;   /* the statement being executed is a `try` */

/* A failed operation stops the run, unless it is a `try`. */
static int failedOp(const Stmt *s, const char *why)
{
	if (curMayFail) return 1;
	setError(s->line, "'%s' in %s failed: %s", s->text, L->procs[me].name, why);
	return 0;
}

static int pinRange(const Stmt *s, unsigned long a, unsigned long len)
{
	if (npins == MAXPIN) return failedOp(s, "too many pins");
	Pin *p = &pins[npins];
	memset(p, 0, sizeof *p);
	p->addr = a;
	p->len = len;
	if (s->wr) {
#ifdef HAVE_IO_URING
		struct io_uring_params prm;
		memset(&prm, 0, sizeof prm);
		int fd = (int)syscall(__NR_io_uring_setup, 1, &prm);
		if (fd < 0) return failedOp(s, "io_uring_setup is not available (pin rw needs io_uring fixed buffers)");
		struct iovec iov = {(void *)a, len};
		winBegin();
		long rc = syscall(__NR_io_uring_register, fd, IORING_REGISTER_BUFFERS, &iov, 1);
		winEnd();
		if (rc < 0) {
			close(fd);
			return failedOp(s, strerror(errno));
		}
		p->fd = fd;
		p->uring = 1;
#else
		return failedOp(s, "unsupported: pin rw needs <linux/io_uring.h> at build time");
#endif
	} else {
		/* The model's read pin (FOLL_PIN | FOLL_LONGTERM) as far as user space
		 * can take one: an O_DIRECT write from the range pins it read-only for
		 * the I/O (FOLL_PIN without FOLL_LONGTERM), which unshares the pages
		 * that are not AnonExclusive (gup_must_unshare, one fault each); the
		 * lasting reference is vmsplice's (FOLL_GET). */
		int dfd = open("/var/tmp", O_TMPFILE | O_WRONLY | O_DIRECT | O_CLOEXEC, 0600);
		if (dfd >= 0) {
			winBegin();
			ssize_t w = write(dfd, (void *)a, len);
			winEnd();
			close(dfd);
			if (w != (ssize_t)len) fprintf(stderr, "mmm-live: warning: line %d: the O_DIRECT read pin failed\n", s->line);
		}
		int pf[2];
		if (pipe2(pf, O_CLOEXEC)) return failedOp(s, strerror(errno));
		fcntl(pf[1], F_SETPIPE_SZ, (int)(len < 65536 ? 65536 : len));
		struct iovec iov = {(void *)a, len};
		winBegin();
		ssize_t k = vmsplice(pf[1], &iov, 1, 0);
		winEnd();
		if (k != (ssize_t)len) {
			close(pf[0]);
			close(pf[1]);
			return failedOp(s, k < 0 ? strerror(errno) : "vmsplice took only part of the range");
		}
		p->fd = pf[1];
		p->pipeFd = pf[0];
	}
	npins++;
	return 1;
}

static int unpinRange(const Stmt *s, unsigned long a, unsigned long len)
{
	for (int k = npins - 1; k >= 0; k--) {
		if (pins[k].addr != a || pins[k].len != len) continue;
		winBegin();
#ifdef HAVE_IO_URING
		if (pins[k].uring) syscall(__NR_io_uring_register, pins[k].fd, IORING_UNREGISTER_BUFFERS, NULL, 0);
#endif
		close(pins[k].fd);
		if (!pins[k].uring) close(pins[k].pipeFd);
		winEnd();
		pins[k] = pins[--npins];
		return 1;
	}
	char t[80];
	rangeText(&s->r, t, sizeof t);
	setError(s->line, "%s holds no pin of exactly %s", L->procs[me].name, t);
	return 0;
}


/* ------------------------------------------------------------------------- */
/* userfaultfd: contexts and the handler thread                               */
/* ------------------------------------------------------------------------- */

/* The contexts this process polls (its own, and those of children's mms that
 * arrived as UFFD_EVENT_FORK messages), with the process whose mm each is. */
typedef struct {
	int fd, owner, feat;
} UCtx;
#define MAXUCTX 64
static UCtx uctx[MAXUCTX];
static int nuctx;                       /* written by both threads under uctxLock */
static pthread_mutex_t uctxLock = PTHREAD_MUTEX_INITIALIZER;
static int myCtx[UFFD_NCTX] = {-1, -1, -1, -1, -1, -1, -1, -1};   /* contexts of this process's mm, by feature set */
static int handlerOn;

static void addCtx(int fd, int owner, int feat)
{
	pthread_mutex_lock(&uctxLock);
	if (nuctx < MAXUCTX) uctx[nuctx++] = (UCtx){fd, owner, feat};
	pthread_mutex_unlock(&uctxLock);
}

/* The typical monitor: every write-protect trap is logged and resolved by
 * unprotecting the page (the faulting thread then retries). */
static void *uffdHandler(void *arg)
{
	(void)arg;
	struct pollfd pf[MAXUCTX];
	UCtx cx[MAXUCTX];
	for (;;) {
		pthread_mutex_lock(&uctxLock);
		int n = nuctx;
		memcpy(cx, uctx, (size_t)n * sizeof cx[0]);
		pthread_mutex_unlock(&uctxLock);
		for (int i = 0; i < n; i++) pf[i] = (struct pollfd){.fd = cx[i].fd, .events = POLLIN};
		if (poll(pf, (nfds_t)n, 10) <= 0) continue;
		for (int i = 0; i < n; i++) {
			if (!(pf[i].revents & POLLIN)) continue;
			struct uffd_msg msg;
			if (read(cx[i].fd, &msg, sizeof msg) != (ssize_t)sizeof msg) continue;
			if (msg.event == UFFD_EVENT_PAGEFAULT) {
				unsigned long addr = (unsigned long)msg.arg.pagefault.address & ~(PAGE - 1);
				Proc *o = &L->procs[cx[i].owner];
				int k = __atomic_fetch_add(&L->nuev, 1, __ATOMIC_SEQ_CST);
				if (k < MAXUEV) {
					UEvent *e = &L->uev[k];
					*e = (UEvent){.proc = cx[i].owner, .map = -1, .line = o->curLine, .addr = addr,
						.write = (msg.arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WRITE) != 0};
					for (int m = 0; m < o->nmaps; m++)
						if (addr >= o->maps[m].start && addr < o->maps[m].start + (unsigned long)o->maps[m].pages * PAGE) {
							e->map = m;
							e->index = (long)((addr - o->maps[m].start) / PAGE);
						}
				}
				struct uffdio_writeprotect wp = {.range = {.start = addr, .len = PAGE}, .mode = 0};
				if (ioctl(cx[i].fd, UFFDIO_WRITEPROTECT, &wp)) {
					/* not a WP trap (or already resolved): wake the thread anyway */
					struct uffdio_range r = {.start = addr, .len = PAGE};
					ioctl(cx[i].fd, UFFDIO_WAKE, &r);
				}
			} else if (msg.event == UFFD_EVENT_FORK) {
				int nfd = (int)msg.arg.fork.ufd;
				int child = L->procs[cx[i].owner].forkingChild;
				if (child > 0 && child < MAXPROC) {
					L->procs[child].uffdHolder[cx[i].feat] = getpid();
					L->procs[child].uffdHolderFd[cx[i].feat] = nfd;
					addCtx(nfd, child, cx[i].feat);
				} else {
					close(nfd);
				}
			}
		}
	}
	return NULL;
}

static int startHandler(void)
{
	if (handlerOn) return 0;
	pthread_t t;
	pthread_attr_t at;
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	int rc = pthread_create(&t, &at, uffdHandler, NULL);
	pthread_attr_destroy(&at);
	if (rc) return rc;
	handlerOn = 1;
	return 0;
}

/* After fork, in the child: the inherited contexts are the parent's (its mm),
 * and the handler thread was not copied. */
static void uffdForgetInherited(void)
{
	for (int i = 0; i < nuctx; i++) close(uctx[i].fd);
	nuctx = 0;
	for (int f = 0; f < UFFD_NCTX; f++) myCtx[f] = -1;
	handlerOn = 0;
	pthread_mutex_init(&uctxLock, NULL);
}

/* A context of this process's mm with feature set `feat`: one already open,
 * the one a parent's handler holds for it (pidfd_getfd), or a new one.
 * -errno on failure. */
static int uffdCtx(int feat)
{
	if (myCtx[feat] >= 0) return myCtx[feat];
	int fd = -1;
	Proc *self = &L->procs[me];
	if (self->uffdHolder[feat] > 0) {
		int pidfd = (int)syscall(SYS_pidfd_open, self->uffdHolder[feat], 0);
		if (pidfd >= 0) {
			fd = (int)syscall(SYS_pidfd_getfd, pidfd, self->uffdHolderFd[feat], 0);
			close(pidfd);
		}
		if (fd < 0) return -errno;
	} else {
		fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
		if (fd < 0) return -errno;
		struct uffdio_api api = {.api = UFFD_API};
		if (feat & UFFD_CTX_FORK) api.features |= UFFD_FEATURE_EVENT_FORK;
		if (feat & UFFD_CTX_UNPOP) api.features |= UFFD_FEATURE_WP_UNPOPULATED;
		if (feat & UFFD_CTX_ASYNC) api.features |= UFFD_FEATURE_WP_ASYNC;
		if (ioctl(fd, UFFDIO_API, &api)) {
			int e = errno;
			close(fd);
			return -e;
		}
	}
	myCtx[feat] = fd;
	addCtx(fd, me, feat);
	int rc = startHandler();
	return rc ? -rc : fd;
}

/* Every context of this process's mm it can reach (for unregister and
 * write-protect, which act on the VMAs whatever context registered them). */
static int uffdAllCtx(int *out)
{
	int n = 0;
	for (int f = 0; f < UFFD_NCTX; f++)
		if (myCtx[f] >= 0 || L->procs[me].uffdHolder[f] > 0) {
			int fd = uffdCtx(f);
			if (fd >= 0) out[n++] = fd;
		}
	return n;
}

/* ------------------------------------------------------------------------- */
/* KSM                                                                         */
/* ------------------------------------------------------------------------- */

#define KSM "/sys/kernel/mm/ksm/"
#define KSM_TIMEOUT_S 30
#define KSM_SCANS 3

static long readLong(const char *path)
{
	char v[64];
	if (readKnob(path, v, sizeof v)) return -1;
	return strtol(v, NULL, 10);
}

/* One /sys/kernel/mm/ksm file as a number, -1 if unreadable. */
static long readKsmFile(const char *name)
{
	char path[96];
	snprintf(path, sizeof path, KSM "%s", name);
	return readLong(path);
}

/* /proc/self/ksm_stat's ksm_zero_pages (mm->ksm_zero_pages), -1 if unreadable. */
static long ksmStatZero(void)
{
	char buf[512];
	int fd = open("/proc/self/ksm_stat", O_RDONLY | O_CLOEXEC);
	if (fd < 0) return -1;
	memset(buf, 0, sizeof buf);
	int k = readAll(fd, buf, sizeof buf - 1);
	close(fd);
	char *p = k > 0 ? strstr(buf, "ksm_zero_pages ") : NULL;
	return p ? strtol(p + 15, NULL, 10) : -1;
}

static double nowSeconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs ksmd until it has made KSM_SCANS full scans (a page advised now is
 * merged on its second scan; the first one after the advice may be partial),
 * then stops it. 0, or -1 on a timeout. */
/* What the merges have done so far: pages_shared, pages_sharing and
 * ksm_zero_pages folded into one value that changes when any of them does. */
static long ksmState(void)
{
	long z = readLong(KSM "ksm_zero_pages");
	return readLong(KSM "pages_shared") * 1000003L + readLong(KSM "pages_sharing") * 1009L + (z < 0 ? 0 : z);
}

static int ksmSettle(long *scans)
{
	long start = readLong(KSM "full_scans"), now = start, seen = start, state = -1;
	int settled = 0;
	writeFile(KSM "run", "1");
	double t0 = nowSeconds();
	while (now >= 0 && !settled && nowSeconds() - t0 < KSM_TIMEOUT_S) {
		struct timespec ts = {0, 2000000};
		nanosleep(&ts, NULL);
		now = readLong(KSM "full_scans");
		if (now == seen) continue;
		seen = now;
		/* at least KSM_SCANS scans, then until a full scan changes nothing */
		long st = ksmState();
		settled = now >= start + KSM_SCANS && st == state;
		state = st;
	}
	writeFile(KSM "run", "0");   /* waits for ksmd's current batch */
	*scans = now - start;
	return settled ? 0 : -1;
}

static int ksmMerge(const Stmt *s, unsigned long a, unsigned long len)
{
	winBegin();
	int rc = madvise((void *)a, len, MADV_MERGEABLE);
	winEnd();
	if (rc) return failedOp(s, strerror(errno));
	long scans = 0;
	if (ksmSettle(&scans)) {
		setError(s->line, "'%s' in %s: ksmd did not settle (%d full scans, the last changing nothing) in %d s: %ld scans "
			"(timeout; the merge is unstable)", s->text, L->procs[me].name, KSM_SCANS + 1, KSM_TIMEOUT_S, scans);
		return 0;
	}
	return 1;
}

/* mremap(2) of pages lo..hi of mapping m, and the mapping names after it (as
 * the model's runner: `as NAME` names the new range; without it a whole
 * mapping follows the move, a part must stay in place and may extend it). */
static int doMremap(const Stmt *s, int m, long lo, long hi)
{
	Proc *self = &L->procs[me];
	Map *mp = &self->maps[m];
	int whole = lo == 0 && hi == mp->pages - 1;
	if (s->name[0] && mapByName(me, s->name) >= 0) {
		setError(s->line, "mapping '%s' already exists in %s", s->name, self->name);
		return 0;
	}
	if (!s->name[0] && !whole && s->mayMove) {
		setError(s->line, "'%s': name the remapped part with 'as NAME' (it may move)", s->text);
		return 0;
	}
	if (s->name[0] && self->nmaps == MAXMAP) return failedOp(s, "too many mappings");
	unsigned long a = mp->start + (unsigned long)lo * PAGE, len = (unsigned long)(hi - lo + 1) * PAGE;
	unsigned long newLen = (unsigned long)s->pages * PAGE, dest = 0;
	int flags = s->mayMove ? MREMAP_MAYMOVE : 0;
	if (s->hasFixed) {
		int dm;
		long dlo, dhi;
		if (!resolve(s, &s->fixed, me, &dm, &dlo, &dhi)) return 0;
		dest = self->maps[dm].start + (unsigned long)dlo * PAGE;
		flags |= MREMAP_FIXED;
	}
	winBegin();
	void *to = mremap((void *)a, len, newLen, flags, (void *)dest);
	winEnd();
	if (to == MAP_FAILED) return failedOp(s, strerror(errno));
	if (s->name[0]) {
		Map *nm = &self->maps[self->nmaps++];
		snprintf(nm->name, sizeof nm->name, "%s", s->name);
		nm->start = (unsigned long)to;
		nm->pages = s->pages;
	} else if (whole) {
		mp->start = (unsigned long)to;
		mp->pages = s->pages;
	} else if (lo + s->pages > mp->pages) {
		mp->pages = lo + s->pages;
	}
	return 1;
}

static int runBlock(const Block *b);

/* The accesses of read / write / readwrite, in one fault window; 1 on SIGSEGV. */
static int __attribute__((noinline)) access_pages(volatile unsigned long a, volatile unsigned long len, int rd, int wr, int value)
{
	volatile int bad = 0;
	winBegin();
	if (sigsetjmp(segvEnv, 1) == 0) {
		inAccess = 1;
		for (unsigned long x = a; x < a + len; x += PAGE) {
			if (rd) (void)*(volatile char *)x;
			if (wr) memset((void *)x, value, PAGE);
		}
		inAccess = 0;
	} else {
		bad = 1;
	}
	winEnd();
	return bad;
}

/* The process `me` gives control back and (unless it exits) waits to run again. */
static void yieldAndWait(void)
{
	passBaton(L->procs[me].returnTo);
	waitBaton(me);
}

static void childMain(const Stmt *s, int c)
{
	me = c;
	L->procs[c].pid = getpid();
	uffdForgetInherited();
	prime();
	openPhase(c, "start");
	if (runBlock(&s->body) && L->procs[me].status == ST_RUNNING) L->procs[me].status = ST_FINISHED;
	for (;;) yieldAndWait();   /* finished or stopped by an error: idle until killed */
}

/* Runs one statement; 0 stops the run (an error is set). */
static int exec(const Stmt *s)
{
	Proc *self = &L->procs[me];
	int m = 0;
	long lo, hi;
	unsigned long a = 0, len = 0;
	self->curLine = s->line;
	curMayFail = s->mayFail;
	switch (s->op) {
	case OP_ACCESS: case OP_MADVISE: case OP_MPROTECT: case OP_MUNMAP: case OP_PIN: case OP_UNPIN:
	case OP_UFFD_REG: case OP_UFFD_UNREG: case OP_UFFD_WP: case OP_KSM_MERGE: case OP_KSM_UNMERGE: case OP_MREMAP:
		if (!resolve(s, &s->r, me, &m, &lo, &hi)) return 0;
		a = self->maps[m].start + (unsigned long)lo * PAGE;
		len = (unsigned long)(hi - lo + 1) * PAGE;
		break;
	}
	switch (s->op) {
	case OP_MAP: {
		if (mapByName(me, s->name) >= 0) {
			setError(s->line, "mapping '%s' already exists in %s", s->name, self->name);
			return 0;
		}
		if (self->nmaps == MAXMAP) return failedOp(s, "too many mappings");
		unsigned long l = (unsigned long)s->pages * PAGE;
		unsigned long al = s->align ? s->align : (l >= PMD_SIZE ? PMD_SIZE : PAGE);
		char *p = mmap(NULL, l + (al > PAGE ? al : 0), s->prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) return failedOp(s, strerror(errno));
		if (al > PAGE) {
			char *q = (char *)(((uintptr_t)p + al - 1) & ~(uintptr_t)(al - 1));
			if (q > p) munmap(p, (size_t)(q - p));
			if (q + l < p + l + al) munmap(q + l, (size_t)(p + l + al - (q + l)));
			p = q;
		}
		if (s->advice && madvise(p, l, s->advice)) return failedOp(s, strerror(errno));
		Map *mp = &self->maps[self->nmaps++];
		snprintf(mp->name, sizeof mp->name, "%s", s->name);
		mp->start = (unsigned long)p;
		mp->pages = s->pages;
		return 1;
	}
	case OP_ACCESS:
		if (access_pages(a, len, s->rd, s->wr, s->value))
			return failedOp(s, "SIGSEGV: part of the range is not mapped or does not allow the access");
		return 1;
	case OP_MADVISE: {
		winBegin();
		int rc = madvise((void *)a, len, s->advice);
		winEnd();
		return rc ? failedOp(s, strerror(errno)) : 1;
	}
	case OP_MPROTECT: {
		winBegin();
		int rc = mprotect((void *)a, len, s->prot);
		winEnd();
		return rc ? failedOp(s, strerror(errno)) : 1;
	}
	case OP_MUNMAP: {
		winBegin();
		int rc = munmap((void *)a, len);
		winEnd();
		return rc ? failedOp(s, strerror(errno)) : 1;
	}
	case OP_PIN: return pinRange(s, a, len);
	case OP_UNPIN: return unpinRange(s, a, len);
	case OP_UFFD_REG: {
		int fd = uffdCtx(s->uffdFeat);
		if (fd < 0) return failedOp(s, strerror(-fd));
		struct uffdio_register reg = {.range = {.start = a, .len = len}, .mode = UFFDIO_REGISTER_MODE_WP};
		winBegin();
		int rc = ioctl(fd, UFFDIO_REGISTER, &reg);
		winEnd();
		return rc ? failedOp(s, strerror(errno)) : 1;
	}
	case OP_UFFD_UNREG: case OP_UFFD_WP: {
		int fds[UFFD_NCTX], n = uffdAllCtx(fds), rc = -1, err = ENOENT;
		/* any context of this mm acts on every registered VMA of the range;
		 * with several, each one unregisters its own VMAs */
		for (int i = 0; i < n && (rc || s->op == OP_UFFD_UNREG); i++) {
			struct uffdio_range r = {.start = a, .len = len};
			struct uffdio_writeprotect wp = {.range = r, .mode = s->wr ? UFFDIO_WRITEPROTECT_MODE_WP : 0};
			winBegin();
			int k = s->op == OP_UFFD_UNREG ? ioctl(fds[i], UFFDIO_UNREGISTER, &r) : ioctl(fds[i], UFFDIO_WRITEPROTECT, &wp);
			winEnd();
			if (k == 0) rc = 0;
			else err = errno;
		}
		if (n == 0) return failedOp(s, "no userfaultfd registration in this process");
		return rc ? failedOp(s, strerror(err)) : 1;
	}
	case OP_KSM_MERGE: return ksmMerge(s, a, len);
	case OP_KSM_UNMERGE: {
		winBegin();
		int rc = madvise((void *)a, len, MADV_UNMERGEABLE);
		winEnd();
		return rc ? failedOp(s, strerror(errno)) : 1;
	}
	case OP_CLEAR_REFS: {
		int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
		if (fd < 0) return failedOp(s, strerror(errno));
		winBegin();
		ssize_t k = write(fd, "4", 1);
		winEnd();
		int e = errno;
		close(fd);
		return k == 1 ? 1 : failedOp(s, strerror(e));
	}
	case OP_EXPU: {
		int k = __atomic_load_n(&L->nuev, __ATOMIC_SEQ_CST);
		if (k == s->pages) L->held++;
		else addFail(s->line, "'%s': %d userfaultfd event%s so far", s->text, k, k == 1 ? "" : "s");
		return 1;
	}
	case OP_MODEL_ONLY:
		return 1;
	case OP_EXPK: {
		char bad[256] = "";
		for (int i = 0; i < s->nc; i++) {
			long v = strcmp(s->c[i].word, "self-zero-pages") ? readKsmFile(s->c[i].word) : ksmStatZero();
			if (v != s->c[i].val)
				snprintf(bad + strlen(bad), sizeof bad - strlen(bad), "%s%s is %ld", bad[0] ? ", " : "", s->c[i].word, v);
		}
		if (!bad[0]) L->held++;
		else addFail(s->line, "'%s': %s", s->text, bad);
		return 1;
	}
	case OP_MREMAP: return doMremap(s, m, lo, hi);
	case OP_FORK: {
		if (L->nprocs == MAXPROC) return failedOp(s, "too many processes");
		int c = L->nprocs++;
		Proc *ch = &L->procs[c];
		*ch = *self;
		snprintf(ch->name, sizeof ch->name, "%s", s->name);
		ch->pid = 0;
		ch->status = ST_RUNNING;
		ch->returnTo = me;
		ch->openPhase = -1;
		ch->minor = ch->major = 0;
		memset(ch->uffdHolder, 0, sizeof ch->uffdHolder);
		self->forkingChild = c;
		L->baton = c;
		fflush(NULL);
		pid_t pid = fork();
		if (pid < 0) {
			L->nprocs--;
			L->baton = me;
			return failedOp(s, strerror(errno));
		}
		if (pid == 0) childMain(s, c);
		ch->pid = pid;
		prime();   /* before serving the child's observation requests */
		waitBaton(me);
		if (L->procs[c].status == ST_EXITED) waitGone(c);
		return !L->haveErr;
	}
	case OP_PAUSE:
		self->status = ST_PAUSED;
		yieldAndWait();
		return !L->haveErr;
	case OP_RESUME: {
		int c = procByName(s->name);
		if (c < 0) {
			setError(s->line, "no process named '%s' (yet)", s->name);
			return 0;
		}
		if (L->procs[c].status != ST_PAUSED) {
			setError(s->line, "cannot resume %s: it is %s, not paused", s->name, statusWord[L->procs[c].status]);
			return 0;
		}
		L->procs[c].returnTo = me;
		L->procs[c].status = ST_RUNNING;
		passBaton(c);
		waitBaton(me);
		if (L->procs[c].status == ST_EXITED) waitGone(c);
		return !L->haveErr;
	}
	case OP_EXIT:
		closePhase(me);
		self->status = ST_EXITED;
		fflush(NULL);
		passBaton(self->returnTo);
		_exit(0);
	case OP_PHASE:
		openPhase(me, s->name);
		return 1;
	case OP_SNAPSHOT:
		for (int i = 0; i < L->nsnaps; i++)
			if (!strcmp(L->snaps[i].name, s->name)) {
				setError(s->line, "snapshot '%s' was already taken", s->name);
				return 0;
			}
		takeSnapshot(s->name, s->line);
		return !L->haveErr;
	case OP_EXPF: return expectFaults(s);
	case OP_EXPP: return expectPages(s);
	}
	return 1;
}

static int runBlock(const Block *b)
{
	for (int i = 0; i < b->n; i++)
		if (!exec(&b->s[i])) return 0;
	return 1;
}

/* ------------------------------------------------------------------------- */
/* Machine knobs                                                              */
/* ------------------------------------------------------------------------- */

typedef struct {
	char path[128], old[64];
} Knob;
static Knob knobs[16];
static int nknobs;

static int readKnob(const char *path, char *out, size_t n)
{
	char buf[256];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) return -1;
	int k = readAll(fd, buf, sizeof buf);
	close(fd);
	if (k <= 0) return -1;
	char *l = strchr(buf, '['), *r = l ? strchr(l, ']') : NULL;
	if (l && r) {
		*r = 0;
		snprintf(out, n, "%s", l + 1);
	} else {
		buf[strcspn(buf, "\n")] = 0;
		copyStr(out, n, buf);
	}
	return 0;
}

static int writeFile(const char *path, const char *v)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) return -1;
	ssize_t k = write(fd, v, strlen(v));
	close(fd);
	return k == (ssize_t)strlen(v) ? 0 : -1;
}

static int setKnob(const char *path, const char *v)
{
	char old[64];
	if (readKnob(path, old, sizeof old)) return -1;
	if (!strcmp(old, v)) return 0;
	if (nknobs < 16) {
		snprintf(knobs[nknobs].path, sizeof knobs[0].path, "%s", path);
		snprintf(knobs[nknobs].old, sizeof knobs[0].old, "%s", old);
		nknobs++;
	}
	return writeFile(path, v);
}

static void restoreKnobs(void)
{
	for (int i = nknobs - 1; i >= 0; i--) writeFile(knobs[i].path, knobs[i].old);
	nknobs = 0;
}

static int applyHeader(char *why, size_t n)
{
	const char *thp = "/sys/kernel/mm/transparent_hugepage";
	char path[128], v[16];
	snprintf(path, sizeof path, "%s/enabled", thp);
	if (setKnob(path, thpWord[H.thp])) return snprintf(why, n, "cannot set %s", path), -1;
	for (int o = 2; o <= 9; o++) {
		snprintf(path, sizeof path, "%s/hugepages-%lukB/enabled", thp, (PAGE << o) >> 10);
		if (access(path, F_OK)) {
			if (H.orders[o] != THP_NEVER) return snprintf(why, n, "this kernel has no %s", path), -1;
			continue;
		}
		if (setKnob(path, thpWord[H.orders[o]])) return snprintf(why, n, "cannot set %s", path), -1;
	}
	snprintf(path, sizeof path, "%s/use_zero_page", thp);
	if (setKnob(path, H.hzp ? "1" : "0")) return snprintf(why, n, "cannot set %s", path), -1;
	snprintf(v, sizeof v, "%d", H.pageCluster);
	if (setKnob("/proc/sys/vm/page-cluster", v)) return snprintf(why, n, "cannot set vm.page-cluster"), -1;
	if (access("/sys/kernel/mm/ksm/use_zero_pages", F_OK) == 0 && setKnob("/sys/kernel/mm/ksm/use_zero_pages", H.ksmZero ? "1" : "0"))
		return snprintf(why, n, "cannot set ksm/use_zero_pages"), -1;
	return 0;
}

/* Active swap devices: count, and whether /dev/zram0 is one. */
static int swapDevices(int *zram)
{
	char buf[4096];
	*zram = 0;
	int fd = open("/proc/swaps", O_RDONLY | O_CLOEXEC);
	if (fd < 0) return 0;
	readAll(fd, buf, sizeof buf);
	close(fd);
	int n = 0;
	for (char *p = strchr(buf, '\n'); p && p[1]; p = strchr(p + 1, '\n')) {
		n++;
		if (!strncmp(p + 1, "/dev/zram0 ", 11) || !strncmp(p + 1, "/dev/zram0\t", 11)) *zram = 1;
	}
	return n;
}

/* A version-1 swap header (mkswap's) for a device or file of `bytes`. */
static int writeSwapHeader(int fd, unsigned long bytes)
{
	static unsigned char hdr[PAGE];
	memset(hdr, 0, sizeof hdr);
	uint32_t version = 1, last = (uint32_t)(bytes / PAGE - 1);
	memcpy(hdr + 1024, &version, 4);
	memcpy(hdr + 1028, &last, 4);
	for (int i = 0; i < 16; i++) hdr[1036 + i] = (unsigned char)(rand() & 0xff);
	memcpy(hdr + PAGE - 10, "SWAPSPACE2", 10);
	return pwrite(fd, hdr, PAGE, 0) != (ssize_t)PAGE || fsync(fd) ? -1 : 0;
}

/* `swap disk`: an asynchronous swap device, a swap file on the root file
 * system (a virtio disk: no SWP_SYNCHRONOUS_IO, so swap-out leaves the folio
 * in the swap cache under writeback and swap-in reads ahead). It is the only
 * active swap for the run (zram is swapped off, and on again afterwards), so
 * its type is 0 and slots come from its start, as in the model. */
#define DISK_SWAP "/var/tmp/mmm-live-disk.swap"
static int diskSwapOn, zramOff;

static int diskSwap(long slots, char *why, size_t n)
{
	unsigned long bytes = (unsigned long)(slots < 16 ? 16 : slots) * PAGE + PAGE;
	int zram;
	if (swapDevices(&zram) && zram) {
		if (swapoff("/dev/zram0")) return snprintf(why, n, "swapoff /dev/zram0: %s", strerror(errno)), -1;
		zramOff = 1;
	}
	int fd = open(DISK_SWAP, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0) return snprintf(why, n, "cannot create %s: %s", DISK_SWAP, strerror(errno)), -1;
	static const unsigned char zero[1 << 16];
	for (unsigned long o = 0; o < bytes; o += sizeof zero) {
		size_t k = bytes - o < sizeof zero ? bytes - o : sizeof zero;
		if (write(fd, zero, k) != (ssize_t)k) {
			close(fd);
			return snprintf(why, n, "cannot write %s", DISK_SWAP), -1;
		}
	}
	int bad = writeSwapHeader(fd, bytes);
	close(fd);
	if (bad) return snprintf(why, n, "cannot write the swap header to %s", DISK_SWAP), -1;
	if (swapon(DISK_SWAP, 0)) return snprintf(why, n, "swapon %s: %s", DISK_SWAP, strerror(errno)), -1;
	diskSwapOn = 1;
	return 0;
}

static void diskSwapOff(void)
{
	if (diskSwapOn && swapoff(DISK_SWAP)) fprintf(stderr, "mmm-live: swapoff %s: %s\n", DISK_SWAP, strerror(errno));
	if (diskSwapOn) unlink(DISK_SWAP);
	diskSwapOn = 0;
	if (zramOff && swapon("/dev/zram0", 0)) fprintf(stderr, "mmm-live: swapon /dev/zram0: %s\n", strerror(errno));
	zramOff = 0;
}

/* A fresh /dev/zram0 swap (same size and algorithm): slots are then handed out
 * from the start of the device, as in the model. */
static int freshZram(char *why, size_t n)
{
	char size[64], alg[64], buf[64];
	if (readKnob("/sys/block/zram0/disksize", size, sizeof size) || readKnob("/sys/block/zram0/comp_algorithm", alg, sizeof alg))
		return snprintf(why, n, "cannot read /sys/block/zram0"), -1;
	unsigned long bytes = strtoul(size, NULL, 10);
	if (bytes < 16 * PAGE) return snprintf(why, n, "/dev/zram0 has no size"), -1;
	if (swapoff("/dev/zram0")) return snprintf(why, n, "swapoff /dev/zram0: %s", strerror(errno)), -1;
	if (writeFile("/sys/block/zram0/reset", "1")) return snprintf(why, n, "cannot reset /dev/zram0"), -1;
	writeFile("/sys/block/zram0/comp_algorithm", alg);
	if (writeFile("/sys/block/zram0/disksize", size)) return snprintf(why, n, "cannot size /dev/zram0"), -1;
	int fd = open("/dev/zram0", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || writeSwapHeader(fd, bytes)) {
		if (fd >= 0) close(fd);
		return snprintf(why, n, "cannot write the swap header to /dev/zram0"), -1;
	}
	close(fd);
	if (swapon("/dev/zram0", 0)) return snprintf(why, n, "swapon /dev/zram0: %s", strerror(errno)), -1;
	(void)buf;
	return 0;
}

/* Whether zswap was set up on this boot (the kernel log says "zswap: loaded"):
 * from then on zswap_never_enabled() is false and mm/memory.c alloc_swap_folio
 * swaps large folios in as order-0 pages until the next boot. A log that has
 * wrapped past that line hides it. */
static int zswapWasEnabled(void)
{
	static char klog[1 << 20];
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, klog, (int)sizeof klog - 1);
	if (n <= 0) return 0;
	klog[n] = 0;
	return strstr(klog, "zswap: loaded") != NULL;
}

/* ------------------------------------------------------------------------- */
/* Output                                                                      */
/* ------------------------------------------------------------------------- */

typedef struct {
	int isIdx;
	char pre[96], letter[2], suf[4];
	long v;
} Tok;

static int tokens(const Rec *r, Tok *t)
{
	int n = 0;
#define TXT(...) do { t[n].isIdx = 0; snprintf(t[n].pre, sizeof t[n].pre, __VA_ARGS__); n++; } while (0)
#define IDX(P, Lt, V, S) do { t[n].isIdx = 1; snprintf(t[n].pre, sizeof t[n].pre, "%s", P); \
	snprintf(t[n].letter, sizeof t[n].letter, "%s", Lt); t[n].v = (V); snprintf(t[n].suf, sizeof t[n].suf, "%s", S); n++; } while (0)
	char pre[96];
	snprintf(pre, sizeof pre, "%s[", L->procs[r->proc].maps[r->map].name);
	IDX(pre, "", r->index, "]");
	TXT("%s", stateWord[r->state]);
	if (r->flags & PM_EXCL) TXT("excl");
	if (r->flags & PM_UFFD_WP) TXT("uffd-wp");
	if (r->flags & PM_SOFT_DIRTY) TXT("soft-dirty");
	if (r->flags & PM_FILE) TXT("file");
	if (r->state == S_PRESENT) {
		if (isZero(r)) TXT("frame=zero");
		else IDX("frame=", "f", r->frame, "");
	}
	if (r->state == S_SWAPPED && r->swapid) {
		IDX("swap=", "s", r->swapid, "");
		TXT("type=%d", r->swtype);
	}
	if (r->state == S_PRESENT) {
		TXT("count=%d", r->count);
		static const struct { uint64_t bit; const char *name; } kn[] = {{KPF_ANON, "anon"}, {KPF_SWAPCACHE, "swapcache"},
			{KPF_HEAD, "head"}, {KPF_TAIL, "tail"}, {KPF_KSM, "ksm"}, {KPF_THP, "thp"}, {KPF_ZERO, "zero"}};
		char k[96] = "";
		for (size_t i = 0; i < sizeof kn / sizeof kn[0]; i++)
			if (r->kpf & kn[i].bit) snprintf(k + strlen(k), sizeof k - strlen(k), "%s%s", k[0] ? "," : "", kn[i].name);
		TXT("kpf=%s", k[0] ? k : "-");
	}
	if (r->state == S_PRESENT || r->state == S_SWAPPED) {
		if (r->data >= 0) TXT("data=%d", r->data);
		else TXT("data=?");
	}
	for (int k = 0; k < r->nsh && n < 250; k++) {
		Ref *f = &L->refs[r->sh0 + k];
		snprintf(pre, sizeof pre, "%s%s:%s[", k == 0 ? "shared=" : "+", L->procs[f->proc].name, L->procs[f->proc].maps[f->map].name);
		IDX(pre, "", f->index, "]");
	}
	if (r->kept >= 0) TXT("%s", r->kept ? "kept" : "new");
	return n;
}

static int follows(const Tok *t, int nt, const Tok *f, int nf, long k)
{
	if (nt != nf) return 0;
	for (int i = 0; i < nt; i++) {
		if (t[i].isIdx != f[i].isIdx || strcmp(t[i].pre, f[i].pre)) return 0;
		if (t[i].isIdx && (strcmp(t[i].letter, f[i].letter) || strcmp(t[i].suf, f[i].suf) || t[i].v != f[i].v + k)) return 0;
	}
	return 1;
}

static Tok tokA[256], tokB[256];

static void printPages(const Rec *r, long n)
{
	long i = 0;
	while (i < n) {
		int nf = tokens(&r[i], tokA);
		long j = i + 1;
		while (j < n && r[j].map == r[i].map && r[j].index == r[i].index + (j - i)) {
			int nt = tokens(&r[j], tokB);
			if (!follows(tokB, nt, tokA, nf, j - i)) break;
			j++;
		}
		long cnt = j - i;
		printf("   ");
		for (int k = 0; k < nf; k++) {
			Tok *t = &tokA[k];
			if (!t->isIdx) printf(" %s", t->pre);
			else if (cnt == 1) printf(" %s%s%ld%s", t->pre, t->letter, t->v, t->suf);
			else printf(" %s%s%ld..%s%ld%s", t->pre, t->letter, t->v, t->letter, t->v + cnt - 1, t->suf);
		}
		printf("\n");
		i = j;
	}
}

static void printConfig(void)
{
	printf("config arch=%s kernel=%s", H.arch, H.kernel);
	for (int i = 0; i < H.nswitch; i++) printf(" switch=%s", H.switches[i]);
	printf(" thp=%s", thpWord[H.thp]);
	for (int o = 2; o <= 9; o++) {
		if (H.orders[o] == THP_NEVER) continue;
		unsigned long b = PAGE << o;
		if (b >= (1UL << 20)) printf(" thp-%luM=%s", b >> 20, thpWord[H.orders[o]]);
		else printf(" thp-%luK=%s", b >> 10, thpWord[H.orders[o]]);
	}
	printf(" huge-zero-page=%s swap=%s page-cluster=%d frames=%ld swap-slots=%ld", H.hzp ? "on" : "off",
		H.swapSync ? "zram" : "disk", H.pageCluster, H.frames, H.swapSlots);
	if (H.softDirty) printf(" soft-dirty=on");
	if (H.ksmZero) printf(" ksm-zero-pages=on");
	printf("\n");
}

static void printObservation(const char *name)
{
	printf("mmm-observation 1\n");
	if (name[0]) printf("scenario %s\n", name);
	printConfig();
	for (int s = 0; s < L->nsnaps; s++) {
		Snap *sn = &L->snaps[s];
		if (sn->line > 0) printf("snapshot %s line=%d\n", sn->name, sn->line);
		else printf("snapshot %s\n", sn->name);
		for (int q = 0; q < sn->np; q++) {
			printf("  process %s\n", L->procs[sn->procs[q]].name);
			printPages(&L->recs[sn->off[q]], sn->n[q]);
		}
	}
	for (int i = 0; i < L->nphases; i++) {
		Phase *ph = &L->phases[i];
		printf("phase %s %s minor=%ld major=%ld\n", L->procs[ph->proc].name, ph->name, ph->emin - ph->smin, ph->emaj - ph->smaj);
	}
	for (int i = 0; i < L->nuev && i < MAXUEV; i++) {
		UEvent *e = &L->uev[i];
		if (e->map >= 0)
			printf("uffd %s %s[%ld] %s line=%d\n", L->procs[e->proc].name, L->procs[e->proc].maps[e->map].name, e->index,
				e->write ? "write" : "read", e->line);
		else
			printf("uffd %s 0x%lx[0] %s line=%d\n", L->procs[e->proc].name, e->addr, e->write ? "write" : "read", e->line);
	}
	for (int i = 0; i < L->nfails; i++) printf("fail line=%d %s\n", L->fails[i].line, L->fails[i].msg);
	if (L->haveErr) printf("error line=%d %s\n", L->err.line, L->err.msg);
	printf("result %s held=%d failed=%d%s\n", (L->haveErr || L->nfails) ? "fail" : "pass", L->held, L->nfails,
		L->haveErr ? " stopped" : "");
}

/* ------------------------------------------------------------------------- */
/* main                                                                        */
/* ------------------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mmm-live [--fresh-swap] [--no-knobs] FILE\n"
		"Runs a scenario (docs/scenario-language.md) on the running kernel and prints\n"
		"the observation (docs/observation-format.md). Needs root.\n"
		"  --fresh-swap  re-create the /dev/zram0 swap before the run (stable slots)\n"
		"  --no-knobs    do not apply the header's THP and page-cluster settings\n"
		"Exit status: 0 every expectation held, 1 one failed or the run stopped,\n"
		"2 the runner could not run (not root, unreadable file, machine setup).\n");
}

int main(int argc, char **argv)
{
	int freshSwap = 0, knobsOn = 1;
	const char *file = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--fresh-swap")) freshSwap = 1;
		else if (!strcmp(argv[i], "--no-knobs")) knobsOn = 0;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (argv[i][0] == '-' || file) {
			usage(stderr);
			return 2;
		} else file = argv[i];
	}
	if (!file) {
		usage(stderr);
		return 2;
	}
	FILE *fp = fopen(file, "rb");
	if (!fp) {
		fprintf(stderr, "mmm-live: cannot read '%s': %s\n", file, strerror(errno));
		return 2;
	}
	size_t cap = 1 << 16, n = 0;
	char *text = malloc(cap);
	for (size_t k; (k = fread(text + n, 1, cap - n - 1, fp)) > 0;) {
		n += k;
		if (n + 1 == cap) text = realloc(text, cap *= 2);
	}
	fclose(fp);
	text[n] = 0;

	if (parseScenario(text)) {
		defaultHeader();
		printf("mmm-observation 1\nscenario %s\n", file);
		printConfig();
		printf("error line=%d %s\nresult fail held=0 failed=0 stopped\n", perrLine, perrMsg);
		return 1;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "mmm-live: must run as root (PFNs in pagemap, /proc/kpageflags, THP knobs)\n");
		return 2;
	}
	if (sysconf(_SC_PAGESIZE) != (long)PAGE) {
		fprintf(stderr, "mmm-live: only 4 KiB pages are supported\n");
		return 2;
	}
	if (maxPagesPerProc > (long)(sizeof scratchB / sizeof scratchB[0])) {
		fprintf(stderr, "mmm-live: at most %zu pages of mappings per scenario\n", sizeof scratchB / sizeof scratchB[0]);
		return 2;
	}
	logInit();
	char why[256] = "";
	struct utsname u;
	uname(&u);
	int zram, nswap = swapDevices(&zram);
	if (strcmp(H.arch, "x86_64") == 0 ? strcmp(u.machine, "x86_64") != 0 : strcmp(u.machine, "aarch64") != 0)
		setError(0, "unsupported: the scenario is for %s, this machine is %s", H.arch, u.machine);
	else if (knobsOn && applyHeader(why, sizeof why))
		setError(0, "machine setup failed: %s", why);
	else if (H.swapSync && freshSwap && zram && freshZram(why, sizeof why))
		setError(0, "fresh swap failed: %s", why);
	else if (!H.swapSync && diskSwap(H.swapSlots, why, sizeof why))
		setError(0, "swap disk: %s", why);
	int mthp = 0;
	for (int o = 2; o < 9; o++) mthp |= H.orders[o] != THP_NEVER;
	if (mthp && zswapWasEnabled())
		fprintf(stderr, "mmm-live: warning: zswap was enabled on this boot (kernel log: 'zswap: loaded'): large folios "
			"are swapped in as order-0 pages until reboot (mm/memory.c alloc_swap_folio, zswap_never_enabled)\n");
	if (!nswap && H.swapSync) fprintf(stderr, "mmm-live: warning: no swap device is active (run scripts/live-setup.sh)\n");
	else if (nswap > 1) fprintf(stderr, "mmm-live: warning: %d swap devices are active; slots may go to any of them\n", nswap);

	kpcFd = open("/proc/kpagecount", O_RDONLY | O_CLOEXEC);
	kpfFd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	/* One CPU for the whole run: per-CPU page lists, LRU batches and swap
	 * clusters then behave the same from run to run. */
	cpu_set_t cpus;
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	sched_setaffinity(0, sizeof cpus, &cpus);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	signal(SIGCHLD, SIG_IGN);   /* exited processes are reaped at once */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = onSegv;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);

	me = CONTROLLER;
	prime();
	if (!L->haveErr) {
		L->nprocs = 1;
		Proc *p = &L->procs[0];
		snprintf(p->name, sizeof p->name, "parent");
		p->returnTo = CONTROLLER;
		p->openPhase = -1;
		L->baton = 0;
		fflush(NULL);
		pid_t pid = fork();
		if (pid < 0) {
			perror("mmm-live: fork");
			restoreKnobs();
			diskSwapOff();
			return 2;
		}
		if (pid == 0) {
			me = 0;
			L->procs[0].pid = getpid();
			prime();
			openPhase(0, "start");
			if (runBlock(&Body) && L->procs[0].status == ST_RUNNING) L->procs[0].status = ST_FINISHED;
			for (;;) yieldAndWait();
		}
		p->pid = pid;
		waitBaton(CONTROLLER);
		if (p->status == ST_EXITED) waitGone(0);
		prime();
		takeSnapshot("end", 0);
		for (int i = 0; i < L->nphases; i++)
			if (!L->phases[i].ended) {
				Phase *ph = &L->phases[i];
				ph->emin = L->procs[ph->proc].minor;
				ph->emaj = L->procs[ph->proc].major;
				ph->ended = 1;
			}
		for (int i = 0; i < L->nprocs; i++)
			if (L->procs[i].status != ST_EXITED && L->procs[i].pid > 0) kill(L->procs[i].pid, SIGKILL);
		for (int i = 0; i < L->nprocs; i++)
			if (L->procs[i].status != ST_EXITED && L->procs[i].pid > 0) waitGone(i);
	}
	restoreKnobs();
	diskSwapOff();
	printObservation(file);
	if (L->obsFaults) fprintf(stderr, "mmm-live: warning: observation took %ld faults in total\n", L->obsFaults);
	fflush(stdout);
	for (int i = 0; i < L->nfails; i++) fprintf(stderr, "%s:%d: expectation failed: %s\n", file, L->fails[i].line, L->fails[i].msg);
	if (L->haveErr) fprintf(stderr, "%s:%d: error: %s\n", file, L->err.line, L->err.msg);
	return (L->haveErr || L->nfails) ? 1 : 0;
}
