/* SPDX-License-Identifier: MIT */
/**
 * DOC: mmmodel_cmocka.h - cmocka assertions in MMModel's terms
 *
 * Include this one file in a cmocka test of code that uses MMModel: it pulls in
 * the four standard headers cmocka 1.1.5 needs, <cmocka.h> and "mmmodel.h".
 *
 * Every assertion is a macro that captures the call site and hands it to a
 * static inline function of this header, so libmmmodel itself never links
 * cmocka. On failure a helper prints in the model's terms (errors by name and
 * text, PTEs as hex plus their one-line decode and the fields that differ)
 * with print_error() and then fails the test with _fail(), the two functions
 * cmocka 1.1.5 declares for this purpose. Each macro has an ``_at`` variant
 * taking ``file, line`` explicitly, for checks wrapped in the user's own helper
 * functions, so the failure names the user's caller.
 *
 * The functions named _mmm_* below are internal helpers: use the macros.
 *
 * Assertions over a whole world (the consistency checker, an entry of a
 * process, fault counts) follow the encoding ones.
 */
#ifndef MMMODEL_CMOCKA_H
#define MMMODEL_CMOCKA_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "mmmodel.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Internal helpers - use the macros                                         */
/* ------------------------------------------------------------------------ */

/* The C name of a positive errno value MMModel (or libc) may return; NULL if unknown. */
static inline const char *_mmm_errno_name(long long err)
{
	if (err == EPERM) return "EPERM";
	if (err == ENOENT) return "ENOENT";
	if (err == ESRCH) return "ESRCH";
	if (err == EINTR) return "EINTR";
	if (err == EIO) return "EIO";
	if (err == E2BIG) return "E2BIG";
	if (err == EAGAIN) return "EAGAIN";
	if (err == ENOMEM) return "ENOMEM";
	if (err == EACCES) return "EACCES";
	if (err == EFAULT) return "EFAULT";
	if (err == EBUSY) return "EBUSY";
	if (err == EEXIST) return "EEXIST";
	if (err == ENODEV) return "ENODEV";
	if (err == EINVAL) return "EINVAL";
	if (err == ENOSPC) return "ENOSPC";
	if (err == ERANGE) return "ERANGE";
	if (err == ENOSYS) return "ENOSYS";
	if (err == EOVERFLOW) return "EOVERFLOW";
	if (err == EOPNOTSUPP) return "EOPNOTSUPP";
	return NULL;
}

/*
 * Writes a return value in the model's terms: "-EINVAL (Invalid argument)" for
 * a negative errno value, the decimal number otherwise.
 */
static inline const char *_mmm_ret_text(long long v, char *buf, size_t len)
{
	if (v < 0 && v >= -(long long)0x7fffffff) {
		const char *name = _mmm_errno_name(-v);

		if (name)
			snprintf(buf, len, "-%s (%s)", name, mmm_strerror((int)v));
		else
			snprintf(buf, len, "%lld (%s)", v, mmm_strerror((int)v));
	} else {
		snprintf(buf, len, "%lld", v);
	}
	return buf;
}

static inline void _mmm_assert_ok(long long v, const char *expr,
				  const char *file, int line)
{
	char text[96];

	if (v >= 0)
		return;
	print_error("mmm_assert_ok: %s (%s:%d)\n  returned %s\n", expr, file, line,
		    _mmm_ret_text(v, text, sizeof(text)));
	_fail(file, line);
}

static inline void _mmm_assert_errno(long long v, long long expected,
				     const char *expr, const char *file, int line)
{
	char got[96], want[96];

	if (v == expected)
		return;
	print_error("mmm_assert_errno: %s (%s:%d)\n  expected %s\n  returned %s\n",
		    expr, file, line, _mmm_ret_text(expected, want, sizeof(want)),
		    _mmm_ret_text(v, got, sizeof(got)));
	_fail(file, line);
}

/* Appends " word" to a NUL-terminated buffer, truncating quietly. */
static inline void _mmm_append(char *buf, size_t len, const char *fmt, ...)
	CMOCKA_PRINTF_ATTRIBUTE(3, 4);
static inline void _mmm_append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

static inline const char *_mmm_kind_name(uint32_t kind)
{
	static const char *const names[] = {
		"none", "present", "swap", "migration_read",
		"migration_read_exclusive", "migration_write",
		"device_private_read", "device_private_write",
		"device_exclusive", "hwpoison", "marker",
	};

	return kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "unknown";
}

/*
 * Names what differs between two PTE values: the kind, each differing
 * MMM_PTE_F_ / MMM_SWP_F_ flag, and each differing field of their decodes.
 */
static inline void _mmm_pte_diff(mmm_arch arch, uint64_t a, uint64_t b,
				 char *buf, size_t len)
{
	static const char *const pte_names[] = {
		"valid", "write", "user", "young", "dirty", "saved_dirty", "rdonly",
		"soft_dirty", "uffd_wp", "special", "protnone", "nx", "cont",
	};
	static const char *const swp_names[] = {
		"exclusive", "soft_dirty", "uffd_wp", "mig_young", "mig_dirty",
	};
	struct mmm_pte_info x, y;
	uint64_t d;
	unsigned i;
	int ra, rb;

	buf[0] = '\0';
	memset(&x, 0, sizeof(x));
	memset(&y, 0, sizeof(y));
	x.size = y.size = sizeof(struct mmm_pte_info);
	ra = mmm_pte_decode(arch, a, &x);
	rb = mmm_pte_decode(arch, b, &y);
	if (ra < 0 || rb < 0) {
		char text[96];

		_mmm_append(buf, len, " (decode: %s)",
			    _mmm_ret_text(ra < 0 ? ra : rb, text, sizeof(text)));
	} else if (x.kind != y.kind) {
		_mmm_append(buf, len, " kind(%s/%s)", _mmm_kind_name(x.kind),
			    _mmm_kind_name(y.kind));
	} else {
		d = x.flags ^ y.flags;
		if (x.kind == MMM_PTE_KIND_PRESENT) {
			for (i = 0; i < sizeof(pte_names) / sizeof(pte_names[0]); i++)
				if (d & (1ull << i))
					_mmm_append(buf, len, " %s", pte_names[i]);
		} else {
			for (i = 0; i < sizeof(swp_names) / sizeof(swp_names[0]); i++)
				if (d & (1ull << i))
					_mmm_append(buf, len, " %s", swp_names[i]);
		}
		if (d >> 13)
			_mmm_append(buf, len, " flags(0x%" PRIx64 ")", d >> 13 << 13);
		if (x.pfn != y.pfn)
			_mmm_append(buf, len, " pfn");
		if (x.kind != MMM_PTE_KIND_PRESENT && x.kind != MMM_PTE_KIND_NONE) {
			if (x.swp_type != y.swp_type)
				_mmm_append(buf, len, " type");
			if (x.swp_offset != y.swp_offset)
				_mmm_append(buf, len, " offset");
		}
		if (x.marker != y.marker)
			_mmm_append(buf, len, " marker");
		if (x.attrs != y.attrs)
			_mmm_append(buf, len, " attrs(0x%" PRIx64 ")", x.attrs ^ y.attrs);
		if (x.stray != y.stray)
			_mmm_append(buf, len, " stray(0x%" PRIx64 ")", x.stray ^ y.stray);
	}
	_mmm_append(buf, len, " [bits 0x%016" PRIx64 "]", a ^ b);
}

/* The one-line decode of @pte, or the error that prevented it. */
static inline const char *_mmm_pte_text(mmm_arch arch, uint64_t pte,
					char *buf, size_t len)
{
	int r = mmm_pte_format(arch, pte, buf, len);

	if (r < 0) {
		char text[96];

		snprintf(buf, len, "(format: %s)", _mmm_ret_text(r, text, sizeof(text)));
	}
	return buf;
}

static inline void _mmm_assert_pte_equal(mmm_arch arch, uint64_t expected,
					 uint64_t actual, const char *expected_expr,
					 const char *actual_expr, const char *file,
					 int line)
{
	char e[256], a[256], d[384];

	if (expected == actual)
		return;
	_mmm_pte_diff(arch, expected, actual, d, sizeof(d));
	print_error("mmm_assert_pte_equal: %s differs from %s, arch 0x%" PRIx32
		    " (%s:%d)\n"
		    "  expected 0x%016" PRIx64 "  %s\n"
		    "  actual   0x%016" PRIx64 "  %s\n"
		    "  differs %s\n",
		    actual_expr, expected_expr, (uint32_t)arch, file, line,
		    expected, _mmm_pte_text(arch, expected, e, sizeof(e)),
		    actual, _mmm_pte_text(arch, actual, a, sizeof(a)), d);
	_fail(file, line);
}

/* ------------------------------------------------------------------------ */
/* Assertions                                                                */
/* ------------------------------------------------------------------------ */

/**
 * mmm_assert_ok() - Assert that an mmm_ call succeeded.
 * @expr: an expression giving an mmm_ return value (0, a count, or -errno).
 *
 * Passes when @expr is 0 or more. Otherwise prints the expression and the
 * error by name and text, e.g. "-EINVAL (Invalid argument)", and fails the
 * test. @expr is evaluated exactly once.
 */
#define mmm_assert_ok(expr) \
	_mmm_assert_ok((long long)(expr), #expr, __FILE__, __LINE__)

/**
 * mmm_assert_ok_at() - mmm_assert_ok() reporting a given call site.
 * @expr: an expression giving an mmm_ return value.
 * @file: the file name to report.
 * @line: the line number to report.
 */
#define mmm_assert_ok_at(expr, file, line) \
	_mmm_assert_ok((long long)(expr), #expr, (file), (line))

/**
 * mmm_assert_errno() - Assert that an mmm_ call returned a given value.
 * @expr:     an expression giving an mmm_ return value.
 * @expected: the value wanted, normally a negative errno such as -ERANGE.
 *
 * Passes when @expr equals @expected. Otherwise prints both by name and text
 * ("expected -ERANGE (Numerical result out of range)", "returned -EINVAL
 * (Invalid argument)"; a non-negative value as a number) and fails the test.
 * Each argument is evaluated exactly once.
 */
#define mmm_assert_errno(expr, expected) \
	_mmm_assert_errno((long long)(expr), (long long)(expected), #expr, \
			  __FILE__, __LINE__)

/**
 * mmm_assert_errno_at() - mmm_assert_errno() reporting a given call site.
 * @expr:     an expression giving an mmm_ return value.
 * @expected: the value wanted.
 * @file:     the file name to report.
 * @line:     the line number to report.
 */
#define mmm_assert_errno_at(expr, expected, file, line) \
	_mmm_assert_errno((long long)(expr), (long long)(expected), #expr, \
			  (file), (line))

/**
 * mmm_assert_pte_equal() - Assert that two PTE values are identical.
 * @arch:     the mmm_arch both values belong to, used to describe them.
 * @expected: the PTE value wanted.
 * @actual:   the PTE value obtained.
 *
 * Compares the raw 64-bit values, as pte_same() does. On a difference prints
 * both in hex with their mmm_pte_format() line, then "differs" followed by
 * what differs between their mmm_pte_decode() results: the kind, the names of
 * the differing MMM_PTE_F_ or MMM_SWP_F_ flags (as mmm_pte_format() spells
 * them), and the fields pfn, type, offset, marker, attrs and stray; and fails
 * the test. Each argument is evaluated exactly once.
 */
#define mmm_assert_pte_equal(arch, expected, actual) \
	_mmm_assert_pte_equal((arch), (expected), (actual), #expected, #actual, \
			      __FILE__, __LINE__)

/**
 * mmm_assert_pte_equal_at() - mmm_assert_pte_equal() reporting a given call site.
 * @arch:     the mmm_arch both values belong to.
 * @expected: the PTE value wanted.
 * @actual:   the PTE value obtained.
 * @file:     the file name to report.
 * @line:     the line number to report.
 */
#define mmm_assert_pte_equal_at(arch, expected, actual, file, line) \
	_mmm_assert_pte_equal((arch), (expected), (actual), #expected, #actual, \
			      (file), (line))

/* ------------------------------------------------------------------------ */
/* Assertions over a world                                                   */
/* ------------------------------------------------------------------------ */

/* Internal helpers - use the macros below. */

/* Prints the world's message after a failed call in a helper, and fails. */
static inline void _mmm_world_call_failed(const char *who, mmm_world *w, const char *call,
					  int ret, const char *file, int line)
{
	char text[96];

	print_error("%s: %s returned %s (%s:%d)\n  world message: \"%s\"\n", who, call,
		    _mmm_ret_text(ret, text, sizeof(text)), file, line, mmm_world_errmsg(w));
	_fail(file, line);
}

/* Prints one violation on one line: rule id, pid, where, message, values. */
static inline void _mmm_print_violation(const struct mmm_violation *v)
{
	char where[160];

	where[0] = '\0';
	if (v->pid != 0)
		_mmm_append(where, sizeof(where), " pid %d", (int)v->pid);
	if (v->has & MMM_VIOLATION_HAS_ADDR)
		_mmm_append(where, sizeof(where), " addr 0x%" PRIx64, v->addr);
	if (v->has & MMM_VIOLATION_HAS_ENTRY)
		_mmm_append(where, sizeof(where), " entry 0x%016" PRIx64, v->entry);
	if (v->has & MMM_VIOLATION_HAS_PFN)
		_mmm_append(where, sizeof(where), " pfn 0x%" PRIx64, v->pfn);
	if (v->has & MMM_VIOLATION_HAS_SLOT)
		_mmm_append(where, sizeof(where), " slot %" PRIu64, v->slot);
	print_error("  %s%s: %s%s%s%s\n", v->rule, where, v->message, v->values[0] ? " (" : "",
		    v->values, v->values[0] ? ")" : "");
}

static inline void _mmm_assert_consistent(mmm_world *w, const char *expr, const char *file,
					  int line)
{
	mmm_violations *vs = NULL;
	struct mmm_violation v;
	size_t n;
	int r = mmm_world_check(w, MMM_CHECK_FULL, &vs);

	if (r < 0) {
		_mmm_world_call_failed("mmm_assert_consistent", w, "mmm_world_check", r, file, line);
		return;
	}
	n = mmm_violations_count(vs);
	if (n == 0) {
		mmm_violations_free(vs);
		return;
	}
	print_error("mmm_assert_consistent: %s has %zu violation%s (%s:%d)\n", expr, n,
		    n == 1 ? "" : "s", file, line);
	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	while (mmm_violations_next(vs, &v) == 1)
		_mmm_print_violation(&v);
	mmm_violations_free(vs);
	_fail(file, line);
}

static inline void _mmm_assert_pte(mmm_world *w, mmm_pid pid, uint64_t addr, uint64_t expected,
				   const char *file, int line)
{
	struct mmm_page_state s;
	struct mmm_world_config c;
	char e[256], a[256], d[384];
	int r;

	memset(&s, 0, sizeof(s));
	s.size = sizeof(s);
	r = mmm_page_state(w, pid, addr, &s);
	if (r < 0) {
		_mmm_world_call_failed("mmm_assert_pte", w, "mmm_page_state", r, file, line);
		return;
	}
	if (s.entry == expected)
		return;
	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	r = mmm_world_get_config(w, &c);
	if (r < 0) {
		_mmm_world_call_failed("mmm_assert_pte", w, "mmm_world_get_config", r, file, line);
		return;
	}
	_mmm_pte_diff(c.arch, expected, s.entry, d, sizeof(d));
	print_error("mmm_assert_pte: pid %d, addr 0x%" PRIx64 " (%s:%d)\n"
		    "  expected 0x%016" PRIx64 "  %s\n"
		    "  actual   0x%016" PRIx64 "  %s%s\n"
		    "  differs %s\n",
		    (int)pid, addr, file, line,
		    expected, _mmm_pte_text(c.arch, expected, e, sizeof(e)),
		    s.entry, _mmm_pte_text(c.arch, s.entry, a, sizeof(a)),
		    s.pmd_mapped ? "  (PMD leaf)" : "", d);
	_fail(file, line);
}

static inline void _mmm_assert_faults(mmm_world *w, mmm_pid pid, uint64_t minor, uint64_t major,
				      const char *file, int line)
{
	struct mmm_fault_counters c;
	int r;

	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	r = mmm_fault_counters(w, pid, &c);
	if (r < 0) {
		_mmm_world_call_failed("mmm_assert_faults", w, "mmm_fault_counters", r, file, line);
		return;
	}
	if (c.minor == minor && c.major == major)
		return;
	print_error("mmm_assert_faults: pid %d (%s:%d)\n"
		    "  minor expected %" PRIu64 ", actual %" PRIu64 "%s\n"
		    "  major expected %" PRIu64 ", actual %" PRIu64 "%s\n",
		    (int)pid, file, line, minor, c.minor, c.minor != minor ? "  differs" : "",
		    major, c.major, c.major != major ? "  differs" : "");
	_fail(file, line);
}

/**
 * mmm_assert_consistent() - Assert that a world passes the full audit.
 * @w: the world (mmm_world *).
 *
 * Runs mmm_world_check() with MMM_CHECK_FULL. Passes when it finds no
 * violation. Otherwise prints the world expression and the number of
 * violations, then one line per violation: its rule id, the process, address,
 * entry, PFN and swap slot where it has them, its message and its offending
 * values, e.g.
 * "  INV-14 pid 2 addr 0x7f0000001000 entry 0x... pfn 0x1234: page mapped
 * writable while mapped elsewhere too (mapcount=2)"; and fails the test. A
 * failed mmm_world_check() fails the test too, with the world's message.
 * Violations kept by check-after-every-operation are not consulted (see
 * mmm_world_take_violations()). @w is evaluated exactly once.
 */
#define mmm_assert_consistent(w) \
	_mmm_assert_consistent((w), #w, __FILE__, __LINE__)

/**
 * mmm_assert_consistent_at() - mmm_assert_consistent() reporting a given call site.
 * @w:    the world.
 * @file: the file name to report.
 * @line: the line number to report.
 */
#define mmm_assert_consistent_at(w, file, line) \
	_mmm_assert_consistent((w), #w, (file), (line))

/**
 * mmm_assert_pte() - Assert the entry that maps an address of a process.
 * @w:        the world (mmm_world *).
 * @pid:      the process.
 * @addr:     the address.
 * @expected: the raw value wanted: the PTE, or the PMD leaf when a PMD maps
 *            @addr (0 for no entry).
 *
 * Reads the entry with mmm_page_state() (its @entry field) and compares raw
 * values. On a difference prints the process and address, both values in hex
 * with their mmm_pte_format() line in the world's arch ("(PMD leaf)" after the
 * actual one when a PMD maps @addr), then "differs" followed by what differs,
 * as mmm_assert_pte_equal() does; and fails the test. A failed
 * mmm_page_state() (no VMA, no such process) fails the test with the world's
 * message. Each argument is evaluated exactly once.
 */
#define mmm_assert_pte(w, pid, addr, expected) \
	_mmm_assert_pte((w), (pid), (addr), (expected), __FILE__, __LINE__)

/**
 * mmm_assert_pte_at() - mmm_assert_pte() reporting a given call site.
 * @w:        the world.
 * @pid:      the process.
 * @addr:     the address.
 * @expected: the raw value wanted.
 * @file:     the file name to report.
 * @line:     the line number to report.
 */
#define mmm_assert_pte_at(w, pid, addr, expected, file, line) \
	_mmm_assert_pte((w), (pid), (addr), (expected), (file), (line))

/**
 * mmm_assert_faults() - Assert a process's fault counts.
 * @w:     the world (mmm_world *).
 * @pid:   the process, live or exited.
 * @minor: the minor faults wanted (struct mmm_fault_counters.minor, ru_minflt).
 * @major: the major faults wanted (.major, ru_majflt).
 *
 * Compares the totals since the process was created. On a difference prints
 * the process and, for minor and for major, the expected and actual counts,
 * marking the ones that differ; and fails the test. A failed
 * mmm_fault_counters() fails the test with the world's message. Each argument
 * is evaluated exactly once.
 */
#define mmm_assert_faults(w, pid, minor, major) \
	_mmm_assert_faults((w), (pid), (minor), (major), __FILE__, __LINE__)

/**
 * mmm_assert_faults_at() - mmm_assert_faults() reporting a given call site.
 * @w:     the world.
 * @pid:   the process.
 * @minor: the minor faults wanted.
 * @major: the major faults wanted.
 * @file:  the file name to report.
 * @line:  the line number to report.
 */
#define mmm_assert_faults_at(w, pid, minor, major, file, line) \
	_mmm_assert_faults((w), (pid), (minor), (major), (file), (line))

#ifdef __cplusplus
}
#endif

#endif /* MMMODEL_CMOCKA_H */
