/*
 * netlink/sysctl.c - kernel parameters through /proc/sys.
 *
 * Plain file I/O: one open, one read or write, one close per parameter.
 * A write must be a single write() at offset 0 (the kernel's default
 * sysctl_writes_strict), so the value is formatted first and written whole.
 */
#include "sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char sysctl_root[PATH_MAX] = SYSCTL_ROOT_DEFAULT;
static char sysctl_err[PATH_MAX + 128];

static int sysctl_fail(int err, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Record "<name>: <what>: <strerror>"; returns @err. */
static int sysctl_fail(int err, const char *name, const char *fmt, ...)
{
	size_t len = sizeof(sysctl_err);
	va_list ap;
	int n;

	n = snprintf(sysctl_err, len, "sysctl %s: ", name ? name : "(null)");
	if (n < 0 || (size_t)n >= len)
		return err;
	va_start(ap, fmt);
	n += vsnprintf(sysctl_err + n, len - (size_t)n, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < len)
		snprintf(sysctl_err + n, len - (size_t)n, ": %s", strerror(-err));
	return err;
}

const char *sysctl_last_error(void)
{
	return sysctl_err;
}

int sysctl_set_root(const char *dir)
{
	if (!dir)
		dir = SYSCTL_ROOT_DEFAULT;
	if (strlen(dir) >= sizeof(sysctl_root))
		return -ENAMETOOLONG;
	strcpy(sysctl_root, dir);
	return 0;
}

/* Every component non-empty, not "." or "..", and on one line. */
static int name_ok(const char *name, char sep)
{
	const char *p = name, *end;
	size_t len;

	for (;;) {
		end = strchr(p, sep);
		len = end ? (size_t)(end - p) : strlen(p);
		if (!len || (len == 1 && p[0] == '.') ||
		    (len == 2 && p[0] == '.' && p[1] == '.') || memchr(p, '\n', len))
			return 0;
		if (!end)
			return 1;
		p = end + 1;
	}
}

/* The file for @name, or -EINVAL for a name that is not one. */
static int sysctl_path(const char *name, char *buf, size_t len)
{
	char sep = strchr(name, '/') ? '/' : '.';
	size_t root = strlen(sysctl_root), i;

	if (!name_ok(name, sep))
		return -EINVAL;
	if (root + 1 + strlen(name) >= len)
		return -ENAMETOOLONG;
	memcpy(buf, sysctl_root, root);
	buf[root] = '/';
	for (i = 0; name[i]; i++)
		buf[root + 1 + i] = name[i] == sep ? '/' : name[i];
	buf[root + 1 + i] = '\0';
	return 0;
}

/* One integer, optionally surrounded by white space; -EINVAL otherwise. */
static int parse_int(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || errno || v < INT_MIN || v > INT_MAX)
		return -EINVAL;
	while (*end == ' ' || *end == '\t' || *end == '\n')
		end++;
	if (*end)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

int sysctl_get_int(const char *name, int *out)
{
	char path[PATH_MAX], buf[64];
	ssize_t n;
	int fd, r;

	if (!name || !out)
		return sysctl_fail(-EINVAL, name, "no name or no result");
	if ((r = sysctl_path(name, path, sizeof(path))))
		return sysctl_fail(r, name, "not a parameter name");
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return sysctl_fail(-errno, name, "opening %s", path);
	do
		n = read(fd, buf, sizeof(buf) - 1);
	while (n < 0 && errno == EINTR);
	r = n < 0 ? -errno : 0;
	close(fd);
	if (r)
		return sysctl_fail(r, name, "reading %s", path);
	buf[n] = '\0';
	if (parse_int(buf, out))
		return sysctl_fail(-EINVAL, name, "'%.*s' is not one integer",
				   (int)strcspn(buf, "\n"), buf);
	return 0;
}

int sysctl_set_int(const char *name, int v)
{
	char path[PATH_MAX], buf[16];
	int fd, r, cur, len;
	ssize_t n;

	if ((r = sysctl_get_int(name, &cur)))
		return r;
	if (cur == v)
		return 0;
	sysctl_path(name, path, sizeof(path));
	len = snprintf(buf, sizeof(buf), "%d\n", v);
	/* O_TRUNC does nothing to /proc; it keeps a test's plain file exact. */
	if ((fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)) < 0)
		return sysctl_fail(-errno, name, "opening %s to write %d", path, v);
	do
		n = write(fd, buf, (size_t)len);
	while (n < 0 && errno == EINTR);
	r = n < 0 ? -errno : n != len ? -EIO : 0;
	if (close(fd) && !r)
		r = -errno;
	if (r)
		return sysctl_fail(r, name, "writing %d (was %d)", v, cur);
	return 1;
}
