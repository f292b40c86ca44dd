/*
 * test/unit/test_sysctl.c - netlink/sysctl.c against a throwaway tree that
 * stands in for /proc/sys: name mapping, parsing, writing only on change,
 * and errors that name the parameter.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netlink/sysctl.h"
#include "suites.h"

static char root[64];

/* Write @content to ROOT/@rel, making the directories on the way. */
static void put(const char *rel, const char *content)
{
	char path[PATH_MAX], *p;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		ck_assert_msg(mkdir(path, 0755) == 0 || errno == EEXIST, "mkdir %s", path);
		*p = '/';
	}
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(content, f);
	fclose(f);
}

/* The contents of ROOT/@rel. */
static const char *get(const char *rel)
{
	static char buf[128];
	char path[PATH_MAX];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static struct timespec mtime(const char *rel)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	ck_assert_int_eq(stat(path, &st), 0);
	return st.st_mtim;
}

static void setup(void)
{
	strcpy(root, "/tmp/test-sysctl.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	ck_assert_int_eq(sysctl_set_root(root), 0);
	put("net/ipv4/vs/conntrack", "0\n");
	put("net/ipv4/ip_forward", "1\n");
	put("net/ipv4/ip_local_port_range", "32768\t60999\n");
	put("net/ipv4/conf/eth0.100/rp_filter", "2\n");
}

static void teardown(void)
{
	char cmd[128];

	sysctl_set_root(NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(get_reads_dotted_names)
{
	int v = -1;

	ck_assert_int_eq(sysctl_get_int("net.ipv4.vs.conntrack", &v), 0);
	ck_assert_int_eq(v, 0);
	ck_assert_int_eq(sysctl_get_int("net.ipv4.ip_forward", &v), 0);
	ck_assert_int_eq(v, 1);
}
END_TEST

START_TEST(get_takes_slashes_with_literal_dots)
{
	int v = -1;

	/* sysctl(8): with slashes, dots belong to the names (a VLAN link). */
	ck_assert_int_eq(sysctl_get_int("net/ipv4/conf/eth0.100/rp_filter", &v), 0);
	ck_assert_int_eq(v, 2);
	ck_assert_int_eq(sysctl_get_int("net/ipv4/vs/conntrack", &v), 0);
	ck_assert_int_eq(v, 0);
	/* Dotted, eth0.100 is two components: no such parameter. */
	ck_assert_int_eq(sysctl_get_int("net.ipv4.conf.eth0.100.rp_filter", &v),
			 -ENOENT);
}
END_TEST

START_TEST(get_parses_one_integer_only)
{
	static const struct {
		const char *text;
		int ok, want;
	} cases[] = {
		{ "7", 1, 7 },           { "7\n", 1, 7 },       { "-1\n", 1, -1 },
		{ " 3 \t\n", 1, 3 },     { "2147483647\n", 1, INT_MAX },
		{ "-2147483648\n", 1, INT_MIN },
		{ "", 0, 0 },            { "\n", 0, 0 },        { "abc\n", 0, 0 },
		{ "1 2\n", 0, 0 },       { "0x10\n", 0, 0 },    { "2147483648\n", 0, 0 },
		{ "-2147483649\n", 0, 0 }, { "1.5\n", 0, 0 },
	};
	size_t i;
	int v;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		put("x/v", cases[i].text);
		v = 12345;
		if (cases[i].ok) {
			ck_assert_msg(sysctl_get_int("x.v", &v) == 0, "'%s': %s",
				      cases[i].text, sysctl_last_error());
			ck_assert_int_eq(v, cases[i].want);
		} else {
			ck_assert_msg(sysctl_get_int("x.v", &v) == -EINVAL,
				      "'%s' was taken", cases[i].text);
			ck_assert_int_eq(v, 12345);
		}
	}
}
END_TEST

START_TEST(get_refuses_multiple_values_naming_the_parameter)
{
	int v;

	ck_assert_int_eq(sysctl_get_int("net.ipv4.ip_local_port_range", &v), -EINVAL);
	ck_assert_ptr_nonnull(strstr(sysctl_last_error(),
				     "net.ipv4.ip_local_port_range"));
	ck_assert_ptr_nonnull(strstr(sysctl_last_error(), "32768"));
}
END_TEST

START_TEST(get_missing_is_enoent_naming_the_parameter)
{
	int v;

	ck_assert_int_eq(sysctl_get_int("net.ipv4.vs.expire_nodest_conn", &v), -ENOENT);
	ck_assert_ptr_nonnull(strstr(sysctl_last_error(),
				     "net.ipv4.vs.expire_nodest_conn"));
	ck_assert_ptr_nonnull(strstr(sysctl_last_error(), strerror(ENOENT)));
	ck_assert_ptr_nonnull(strstr(sysctl_last_error(), root));
	/* A directory is not a parameter either. */
	ck_assert_int_eq(sysctl_get_int("net.ipv4.vs", &v), -EISDIR);
}
END_TEST

START_TEST(bad_names_are_refused)
{
	static const char *const bad[] = {
		"",            ".",           "..",            ".net.ipv4.ip_forward",
		"net..ipv4",   "net.ipv4.",   "/net/ipv4/ip_forward",
		"net/../../etc/passwd",       "net/./ipv4/ip_forward",
		"net/ipv4/",   "net//ipv4/ip_forward",          "net.ipv4\n.x",
	};
	size_t i;
	int v;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(sysctl_get_int(bad[i], &v) == -EINVAL, "get '%s'", bad[i]);
		ck_assert_msg(sysctl_set_int(bad[i], 1) == -EINVAL, "set '%s'", bad[i]);
	}
	ck_assert_int_eq(sysctl_get_int(NULL, &v), -EINVAL);
	ck_assert_int_eq(sysctl_get_int("net.ipv4.ip_forward", NULL), -EINVAL);
	ck_assert_int_eq(sysctl_set_int(NULL, 1), -EINVAL);
}
END_TEST

START_TEST(set_writes_when_different)
{
	int v;

	ck_assert_int_eq(sysctl_set_int("net.ipv4.vs.conntrack", 1), 1);
	ck_assert_str_eq(get("net/ipv4/vs/conntrack"), "1\n");
	ck_assert_int_eq(sysctl_get_int("net.ipv4.vs.conntrack", &v), 0);
	ck_assert_int_eq(v, 1);
	ck_assert_int_eq(sysctl_set_int("net.ipv4.vs.conntrack", -7), 1);
	ck_assert_str_eq(get("net/ipv4/vs/conntrack"), "-7\n");
}
END_TEST

START_TEST(set_shorter_value_replaces_the_whole_file)
{
	put("net/ipv4/vs/conn_reuse_mode", "100\n");
	ck_assert_int_eq(sysctl_set_int("net.ipv4.vs.conn_reuse_mode", 0), 1);
	ck_assert_str_eq(get("net/ipv4/vs/conn_reuse_mode"), "0\n");
}
END_TEST

START_TEST(set_same_value_does_not_write)
{
	struct timespec before, after;

	before = mtime("net/ipv4/ip_forward");
	usleep(20 * 1000);    /* beyond the file system's timestamp granularity */
	ck_assert_int_eq(sysctl_set_int("net.ipv4.ip_forward", 1), 0);
	after = mtime("net/ipv4/ip_forward");
	ck_assert_int_eq(before.tv_sec, after.tv_sec);
	ck_assert_int_eq(before.tv_nsec, after.tv_nsec);
	ck_assert_str_eq(get("net/ipv4/ip_forward"), "1\n");
	/* And a different one does, which shows the clock would have told. */
	ck_assert_int_eq(sysctl_set_int("net.ipv4.ip_forward", 0), 1);
	after = mtime("net/ipv4/ip_forward");
	ck_assert(before.tv_sec != after.tv_sec || before.tv_nsec != after.tv_nsec);
}
END_TEST

START_TEST(set_missing_is_enoent_and_creates_nothing)
{
	char path[PATH_MAX];

	ck_assert_int_eq(sysctl_set_int("net.ipv4.vs.expire_nodest_conn", 1), -ENOENT);
	ck_assert_ptr_nonnull(strstr(sysctl_last_error(),
				     "net.ipv4.vs.expire_nodest_conn"));
	snprintf(path, sizeof(path), "%s/net/ipv4/vs/expire_nodest_conn", root);
	ck_assert_int_eq(access(path, F_OK), -1);
}
END_TEST

START_TEST(set_short_write_is_an_error_naming_the_parameter)
{
	struct rlimit old, one;
	int r;

	/* Files may grow to one byte: "42\n" is cut short. */
	signal(SIGXFSZ, SIG_IGN);
	ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
	one = old;
	one.rlim_cur = 1;
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &one), 0);
	r = sysctl_set_int("net.ipv4.vs.conntrack", 42);
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, SIG_DFL);
	ck_assert_int_eq(r, -EIO);
	ck_assert_ptr_nonnull(strstr(sysctl_last_error(), "net.ipv4.vs.conntrack"));
	ck_assert_ptr_nonnull(strstr(sysctl_last_error(), "writing 42 (was 0)"));
}
END_TEST

START_TEST(root_can_be_restored_and_must_fit)
{
	char big[PATH_MAX + 8];
	int v;

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(sysctl_set_root(big), -ENAMETOOLONG);
	/* The old root stays. */
	ck_assert_int_eq(sysctl_get_int("net.ipv4.ip_forward", &v), 0);
	ck_assert_int_eq(sysctl_set_root(NULL), 0);
	/* /proc/sys again: this one exists on every Linux. */
	ck_assert_int_eq(sysctl_get_int("kernel.pid_max", &v), 0);
	ck_assert_int_gt(v, 0);
}
END_TEST

Suite *sysctl_suite(void)
{
	Suite *s = suite_create("sysctl");
	TCase *tc = tcase_create("sysctl");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, get_reads_dotted_names);
	tcase_add_test(tc, get_takes_slashes_with_literal_dots);
	tcase_add_test(tc, get_parses_one_integer_only);
	tcase_add_test(tc, get_refuses_multiple_values_naming_the_parameter);
	tcase_add_test(tc, get_missing_is_enoent_naming_the_parameter);
	tcase_add_test(tc, bad_names_are_refused);
	tcase_add_test(tc, set_writes_when_different);
	tcase_add_test(tc, set_shorter_value_replaces_the_whole_file);
	tcase_add_test(tc, set_same_value_does_not_write);
	tcase_add_test(tc, set_missing_is_enoent_and_creates_nothing);
	tcase_add_test(tc, set_short_write_is_an_error_naming_the_parameter);
	tcase_add_test(tc, root_can_be_restored_and_must_fit);
	suite_add_tcase(s, tc);
	return s;
}
