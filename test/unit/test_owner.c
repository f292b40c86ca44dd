/*
 * test/unit/test_owner.c - agent/owner.c: the ownership record on disk,
 * in a throwaway directory: load, save, round trips in every service
 * notation, atomic replacement, and bad lines.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/owner.h"
#include "fixture.h"
#include "suites.h"

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/ipvsagent-owner-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	chmod(path, 0700);
	return remove(path);
}

static void teardown(void)
{
	chmod(dir, 0700);
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* DIR/@name */
static const char *in_dir(const char *name)
{
	static char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static void write_file(const char *name, const char *text)
{
	FILE *f = fopen(in_dir(name), "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* The whole file (malloc'd), or NULL when it does not exist. */
static char *read_file(const char *name)
{
	FILE *f = fopen(in_dir(name), "r");
	char *buf;
	size_t n;

	if (!f)
		return NULL;
	buf = calloc(1, 1 << 16);
	ck_assert_ptr_nonnull(buf);
	n = fread(buf, 1, (1 << 16) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The names in DIR, sorted, space-separated. */
static const char *dir_listing(void)
{
	static char out[1024];
	struct dirent **names;
	int i, n = scandir(dir, &names, NULL, alphasort);
	size_t off = 0;

	ck_assert_int_ge(n, 0);
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, ".."))
			off += (size_t)snprintf(out + off, sizeof(out) - off, "%s%s",
						off ? " " : "", names[i]->d_name);
		free(names[i]);
	}
	free(names);
	return out;
}

/* The service keys of the round trip: every notation ipvsadm has. */
static void keys(struct ipvs_service_key *k, size_t *n)
{
	struct ipvs_service s;
	size_t i = 0;

	fx_svc(&s, IPVS_PROTO_TCP, "10.96.0.1", 443, "rr");
	k[i++] = s.key;
	fx_svc(&s, IPVS_PROTO_UDP, "10.96.0.10", 53, "rr");
	k[i++] = s.key;
	fx_svc(&s, IPVS_PROTO_TCP, "10.96.0.10", 53, "rr");
	k[i++] = s.key;
	fx_svc(&s, IPVS_PROTO_SCTP, "10.96.0.20", 3868, "rr");
	k[i++] = s.key;
	fx_svc(&s, IPVS_PROTO_TCP, "fd00::1", 80, "rr");
	k[i++] = s.key;
	fx_svc(&s, IPVS_PROTO_UDP, "2001:db8::53", 53, "rr");
	k[i++] = s.key;
	fx_svc(&s, IPVS_PROTO_SCTP, "fd00::2", 9, "rr");
	k[i++] = s.key;
	fx_svc(&s, IPVS_PROTO_TCP, "192.168.1.10", 30080, "rr");
	k[i++] = s.key;
	fx_svc(&s, IPVS_PROTO_TCP, "10.96.0.1", 65535, "rr");
	k[i++] = s.key;
	fx_svc_fwmark(&s, AF_INET, 7, "rr");
	k[i++] = s.key;
	fx_svc_fwmark(&s, AF_INET6, 7, "rr");
	k[i++] = s.key;
	fx_svc_fwmark(&s, AF_INET, 4294967295u, "rr");
	k[i++] = s.key;
	*n = i;
}

START_TEST(load_of_a_missing_file_is_empty)
{
	struct agent_owner o;

	ck_assert_int_eq(agent_owner_load(&o, dir), 0);
	ck_assert_str_eq(o.path, in_dir("owned"));
	ck_assert_uint_eq(ipvs_state_nservices(o.svcs), 0);
	ck_assert_uint_eq(o.addrs.n, 0);
	ck_assert_ptr_null(o.dummy);
	ck_assert_int_eq(o.dirty, 0);
	/* Nothing changed: nothing written. */
	ck_assert_int_eq(agent_owner_save(&o), 0);
	ck_assert_str_eq(dir_listing(), "");
	agent_owner_fini(&o);
}
END_TEST

START_TEST(load_creates_the_directory)
{
	struct agent_owner o;
	struct stat st;
	char sub[PATH_MAX];

	snprintf(sub, sizeof(sub), "%s", in_dir("state"));
	ck_assert_int_eq(agent_owner_load(&o, sub), 0);
	ck_assert_int_eq(stat(sub, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	agent_owner_fini(&o);
}
END_TEST

START_TEST(add_has_del)
{
	struct ipvs_service_key k[16];
	struct agent_owner o;
	size_t n, i;

	keys(k, &n);
	ck_assert_int_eq(agent_owner_load(&o, dir), 0);
	for (i = 0; i < n; i++)
		ck_assert(!agent_owner_has(&o, &k[i]));
	ck_assert_int_eq(agent_owner_add(&o, &k[0]), 0);
	ck_assert_int_eq(o.dirty, 1);
	ck_assert(agent_owner_has(&o, &k[0]));
	for (i = 1; i < n; i++)
		ck_assert(!agent_owner_has(&o, &k[i]));

	/* Adding what is there changes nothing. */
	o.dirty = 0;
	ck_assert_int_eq(agent_owner_add(&o, &k[0]), 0);
	ck_assert_int_eq(o.dirty, 0);
	ck_assert_uint_eq(ipvs_state_nservices(o.svcs), 1);

	for (i = 1; i < n; i++)
		ck_assert_int_eq(agent_owner_add(&o, &k[i]), 0);
	ck_assert_uint_eq(ipvs_state_nservices(o.svcs), n);
	for (i = 0; i < n; i++)
		ck_assert_msg(agent_owner_has(&o, &k[i]), "key %zu", i);

	/* Deleting: gone, the others stay; deleting what is not there is not
	 * a change. */
	o.dirty = 0;
	agent_owner_del(&o, &k[3]);
	ck_assert_int_eq(o.dirty, 1);
	ck_assert(!agent_owner_has(&o, &k[3]));
	o.dirty = 0;
	agent_owner_del(&o, &k[3]);
	ck_assert_int_eq(o.dirty, 0);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(agent_owner_has(&o, &k[i]), i != 3);
	agent_owner_fini(&o);
}
END_TEST

/* Everything the record holds survives save + load. */
START_TEST(save_then_load_gives_the_same_record)
{
	static const char *const addrs[] = { "10.96.0.1", "fd00::1", "203.0.113.7" };
	struct ipvs_service_key k[16];
	struct agent_owner o, p;
	char *text, *after;
	size_t n, i;

	keys(k, &n);
	ck_assert_int_eq(agent_owner_load(&o, dir), 0);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(agent_owner_add(&o, &k[i]), 0);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(strmap_put(&o.addrs, addrs[i], (void *)1), 0);
	o.dummy = strdup("kube-ipvs0");
	ck_assert_int_eq(agent_owner_save(&o), 0);
	ck_assert_int_eq(o.dirty, 0);
	ck_assert_str_eq(dir_listing(), "owned");

	/* The notations are ipvsadm's. */
	text = read_file("owned");
	ck_assert_ptr_nonnull(strstr(text, "\nservice -f 7 -6\n"));
	ck_assert_ptr_nonnull(strstr(text, "\nservice -f 7\n"));
	ck_assert_ptr_nonnull(strstr(text, "\nservice -t [fd00::1]:80\n"));
	ck_assert_ptr_nonnull(strstr(text, "\nservice --sctp-service 10.96.0.20:3868\n"));
	ck_assert_ptr_nonnull(strstr(text, "\naddress fd00::1\n"));
	ck_assert_ptr_nonnull(strstr(text, "\ndummy kube-ipvs0\n"));
	free(text);

	ck_assert_int_eq(agent_owner_load(&p, dir), 0);
	ck_assert_int_eq(p.dirty, 0);
	ck_assert_uint_eq(ipvs_state_nservices(p.svcs), n);
	for (i = 0; i < n; i++)
		ck_assert_msg(agent_owner_has(&p, &k[i]), "key %zu", i);
	ck_assert_uint_eq(p.addrs.n, 3);
	for (i = 0; i < 3; i++)
		ck_assert_ptr_nonnull(strmap_get(&p.addrs, addrs[i]));
	ck_assert_str_eq(p.dummy, "kube-ipvs0");

	/* And again: a record that went through twice is the same text. */
	text = read_file("owned");
	p.dirty = 1;
	ck_assert_int_eq(agent_owner_save(&p), 0);
	after = read_file("owned");
	ck_assert_str_eq(after, text);
	free(after);
	free(text);
	agent_owner_fini(&p);
	agent_owner_fini(&o);
}
END_TEST

/* A save replaces the file: deletions are gone after a reload. */
START_TEST(save_replaces)
{
	struct ipvs_service_key k[16];
	struct agent_owner o, p;
	size_t n, i;

	keys(k, &n);
	ck_assert_int_eq(agent_owner_load(&o, dir), 0);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(agent_owner_add(&o, &k[i]), 0);
	ck_assert_int_eq(strmap_put(&o.addrs, "10.96.0.1", (void *)1), 0);
	o.dummy = strdup("kube-ipvs0");
	ck_assert_int_eq(agent_owner_save(&o), 0);
	for (i = 0; i < n; i += 2)
		agent_owner_del(&o, &k[i]);
	strmap_del(&o.addrs, "10.96.0.1");
	free(o.dummy);
	o.dummy = NULL;
	ck_assert_int_eq(agent_owner_save(&o), 0);
	ck_assert_str_eq(dir_listing(), "owned");

	ck_assert_int_eq(agent_owner_load(&p, dir), 0);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(agent_owner_has(&p, &k[i]), i % 2);
	ck_assert_uint_eq(p.addrs.n, 0);
	ck_assert_ptr_null(p.dummy);
	agent_owner_fini(&p);
	agent_owner_fini(&o);
}
END_TEST

/* Prepare DIR/owned holding one service, and @o loaded from it, with a
 * second service added (unsaved); returns the file's text. */
static char *saved_one(struct agent_owner *o, struct ipvs_service_key *k)
{
	size_t n;

	keys(k, &n);
	ck_assert_int_eq(agent_owner_load(o, dir), 0);
	ck_assert_int_eq(agent_owner_add(o, &k[0]), 0);
	ck_assert_int_eq(agent_owner_save(o), 0);
	ck_assert_int_eq(agent_owner_add(o, &k[1]), 0);
	return read_file("owned");
}

/* A directory we may not write to: an error, and the old file intact. */
START_TEST(save_into_an_unwritable_dir_keeps_the_old_file)
{
	struct ipvs_service_key k[16];
	struct agent_owner o;
	char *before, *after;

	before = saved_one(&o, k);
	if (geteuid() != 0) {
		ck_assert_int_eq(chmod(dir, 0555), 0);
		ck_assert_int_eq(agent_owner_save(&o), -EACCES);
		ck_assert_int_eq(chmod(dir, 0700), 0);
	} else {
		/* root writes anywhere: make the temporary file impossible. */
		ck_assert_int_eq(mkdir(in_dir("owned.tmp"), 0755), 0);
		ck_assert_int_lt(agent_owner_save(&o), 0);
		ck_assert_int_eq(rmdir(in_dir("owned.tmp")), 0);
	}
	ck_assert_int_eq(o.dirty, 1);   /* still to be saved */
	after = read_file("owned");
	ck_assert_str_eq(after, before);
	ck_assert_str_eq(dir_listing(), "owned");
	free(after);

	/* The next save goes through. */
	ck_assert_int_eq(agent_owner_save(&o), 0);
	ck_assert_int_eq(o.dirty, 0);
	ck_assert_str_eq(dir_listing(), "owned");
	free(before);
	agent_owner_fini(&o);
}
END_TEST

/* A rename that fails (the target is a directory) leaves no temporary. */
START_TEST(failed_rename_leaves_no_temporary)
{
	struct ipvs_service_key k[16];
	struct agent_owner o;
	size_t n;

	keys(k, &n);
	ck_assert_int_eq(mkdir(in_dir("owned"), 0755), 0);
	write_file("owned/keep", "x");
	agent_owner_load(&o, dir);
	ck_assert_int_eq(agent_owner_add(&o, &k[0]), 0);
	ck_assert_int_lt(agent_owner_save(&o), 0);
	ck_assert_str_eq(dir_listing(), "owned");
	ck_assert_int_eq(o.dirty, 1);
	agent_owner_fini(&o);
}
END_TEST

/* Bad lines are skipped, one at a time; the good ones are kept. */
START_TEST(bad_lines_ignored)
{
	struct ipvs_service_key k[16];
	struct agent_owner o;
	char longline[700];
	int saved, null, rc;
	char *text;
	size_t n;

	keys(k, &n);
	memset(longline, 'a', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	ck_assert_int_ge(asprintf(&text,
		"# ipvsagent ownership record\n"
		"\n"
		"service -t 10.96.0.1:443\n"
		"service -x 1.2.3.4:80\n"
		"service\n"
		"service \n"
		"service -t notanip:80\n"
		"service -t 10.96.0.1:99999\n"
		"service -f\n"
		"garbage\n"
		"services -t 10.0.0.1:80\n"
		"%s\n"
		"service -u 10.96.0.10:53\n"
		"address 10.96.0.1\n"
		"dummy kube-ipvs0\n"
		"service -f 7 -6", longline), 0);
	write_file("owned", text);
	free(text);
	/* Each bad line is reported on stderr: keep the test output clean. */
	fflush(stderr);
	saved = dup(2);
	null = open("/dev/null", O_WRONLY);
	dup2(null, 2);
	rc = agent_owner_load(&o, dir);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(null);
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(o.dirty, 0);
	ck_assert_uint_eq(ipvs_state_nservices(o.svcs), 3);
	ck_assert(agent_owner_has(&o, &k[0]));    /* -t 10.96.0.1:443 */
	ck_assert(agent_owner_has(&o, &k[1]));    /* -u 10.96.0.10:53 */
	ck_assert(agent_owner_has(&o, &k[10]));   /* -f 7 -6, no newline */
	ck_assert_uint_eq(o.addrs.n, 1);
	ck_assert_ptr_nonnull(strmap_get(&o.addrs, "10.96.0.1"));
	ck_assert_str_eq(o.dummy, "kube-ipvs0");
	agent_owner_fini(&o);
}
END_TEST

Suite *owner_suite(void)
{
	Suite *s = suite_create("owner");
	TCase *tc = tcase_create("record");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, load_of_a_missing_file_is_empty);
	tcase_add_test(tc, load_creates_the_directory);
	tcase_add_test(tc, add_has_del);
	tcase_add_test(tc, save_then_load_gives_the_same_record);
	tcase_add_test(tc, save_replaces);
	tcase_add_test(tc, save_into_an_unwritable_dir_keeps_the_old_file);
	tcase_add_test(tc, failed_rename_leaves_no_temporary);
	tcase_add_test(tc, bad_lines_ignored);
	suite_add_tcase(s, tc);
	return s;
}
