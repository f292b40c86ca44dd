/*
 * test/unit/test_httpd.c - agent/httpd.c: bind addresses, and a real
 * server on 127.0.0.1 driven by a libev loop in this process, talked to
 * over a real socket: answers, 404, 405, 414, 400, HEAD, query
 * arguments, keep-alive.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent/httpd.h"
#include "suites.h"

START_TEST(parse_addresses)
{
	static const struct {
		const char *in;
		int rc;
		int family;
		uint16_t port;
		const char *addr;
	} cases[] = {
		{ "127.0.0.1:10249", 0, AF_INET, 10249, "127.0.0.1" },
		{ "0.0.0.0:10256", 0, AF_INET, 10256, "0.0.0.0" },
		{ "[::1]:80", 0, AF_INET6, 80, "::1" },
		{ "[fd00::10]:65535", 0, AF_INET6, 65535, "fd00::10" },
		{ "10.1.2.3", 0, AF_INET, 7777, "10.1.2.3" },
		{ "fd00::1", 0, AF_INET6, 7777, "fd00::1" },
		{ ":9000", 0, AF_INET6, 9000, "::" },
		{ "", 1, 0, 0, NULL },
		{ "127.0.0.1:0", 1, 0, 0, NULL },
		{ "[::]:0", 1, 0, 0, NULL },
		{ "localhost:80", -EINVAL, 0, 0, NULL },
		{ "127.0.0.1:65536", -EINVAL, 0, 0, NULL },
		{ "127.0.0.1:", -EINVAL, 0, 0, NULL },
		{ "[::1]", -EINVAL, 0, 0, NULL },
		{ "[::1]80", -EINVAL, 0, 0, NULL },
		{ "[]:80", -EINVAL, 0, 0, NULL },
		{ "1.2.3.4:8 0", -EINVAL, 0, 0, NULL },
	};
	struct sockaddr_storage ss;
	char text[INET6_ADDRSTRLEN];
	socklen_t len;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = agent_httpd_parse_addr(cases[i].in, 7777, &ss, &len);
		ck_assert_msg(rc == cases[i].rc, "%s: %d", cases[i].in, rc);
		if (rc)
			continue;
		ck_assert_int_eq(ss.ss_family, cases[i].family);
		if (ss.ss_family == AF_INET) {
			struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;

			ck_assert_uint_eq(len, sizeof(*v4));
			ck_assert_uint_eq(ntohs(v4->sin_port), cases[i].port);
			inet_ntop(AF_INET, &v4->sin_addr, text, sizeof(text));
		} else {
			struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;

			ck_assert_uint_eq(len, sizeof(*v6));
			ck_assert_uint_eq(ntohs(v6->sin6_port), cases[i].port);
			inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof(text));
		}
		ck_assert_str_eq(text, cases[i].addr);
	}
}
END_TEST

/* --- a live server ------------------------------------------------------------ */

static struct ev_loop *loop;
static struct agent_httpd *h;
static int calls;

static void hello(void *arg, const struct agent_httpd_req *req,
		  struct agent_httpd_resp *r)
{
	const char *who = agent_httpd_query(req, "who");

	ck_assert_str_eq(arg, "ctx");
	calls++;
	r->content_type = "text/plain";
	r->len = (size_t)asprintf(&r->body, "hello %s", who ? who : "world");
}

static const struct agent_httpd_route routes[] = { { "/hello", hello } };

static void setup(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct agent_httpd_conf conf = { "test", routes, 1, (void *)(uintptr_t)"ctx" };
	char err[256];

	loop = ev_loop_new(EVFLAG_AUTO);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	h = agent_httpd_start(loop, (struct sockaddr *)&sa, sizeof(sa), &conf,
			      err, sizeof(err));
	ck_assert_msg(h != NULL, "%s", err);
	ck_assert_uint_gt(agent_httpd_port(h), 0);
	calls = 0;
}

static void teardown(void)
{
	agent_httpd_stop(h);
	ev_loop_destroy(loop);
}

static int client(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	ck_assert_int_ge(fd, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons(agent_httpd_port(h));
	ck_assert(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 ||
		  errno == EINPROGRESS);
	return fd;
}

/* Send @req on @fd and turn the loop until @want bytes containing
 * "\r\n\r\n" and the whole body came, or the server closed; at most 3 s. */
static char *exchange(int fd, const char *req, size_t reqlen)
{
	static char buf[65536];
	size_t n = 0, sent = 0;
	double end = ev_time() + 3;
	const char *body, *cl;
	ssize_t r;

	while (ev_time() < end) {
		if (sent < reqlen && (r = send(fd, req + sent, reqlen - sent,
					       MSG_NOSIGNAL)) > 0)
			sent += (size_t)r;
		ev_run(loop, EVRUN_NOWAIT);
		r = recv(fd, buf + n, sizeof(buf) - 1 - n, MSG_DONTWAIT);
		if (r == 0)
			break;
		if (r > 0)
			n += (size_t)r;
		buf[n] = '\0';
		if ((body = strstr(buf, "\r\n\r\n")) && (cl = strstr(buf, "Content-Length: ")) &&
		    strlen(body + 4) >= strtoul(cl + 16, NULL, 10) && !strstr(req, "HEAD"))
			break;
		if (body && strstr(req, "HEAD"))
			break;
		usleep(1000);
	}
	buf[n] = '\0';
	return buf;
}

static char *request(const char *req)
{
	int fd = client();
	char *out = exchange(fd, req, strlen(req));

	close(fd);
	return out;
}

START_TEST(answers)
{
	char *r = request("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");

	ck_assert_msg(!strncmp(r, "HTTP/1.1 200 OK\r\n", 17), "%s", r);
	ck_assert_ptr_nonnull(strstr(r, "Content-Type: text/plain\r\n"));
	ck_assert_ptr_nonnull(strstr(r, "X-Content-Type-Options: nosniff\r\n"));
	ck_assert_ptr_nonnull(strstr(r, "\r\n\r\nhello world"));
	r = request("GET /hello?who=you%20there HTTP/1.1\r\nHost: x\r\n\r\n");
	ck_assert_ptr_nonnull(strstr(r, "\r\n\r\nhello you there"));
	r = request("HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n");
	ck_assert_msg(!strncmp(r, "HTTP/1.1 200 OK\r\n", 17), "%s", r);
	ck_assert_ptr_null(strstr(r, "hello"));
	ck_assert_int_eq(calls, 3);
}
END_TEST

START_TEST(unknown_path_and_method)
{
	char *r = request("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n");

	ck_assert_msg(!strncmp(r, "HTTP/1.1 404 Not Found\r\n", 24), "%s", r);
	r = request("POST /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nabcde");
	ck_assert_msg(!strncmp(r, "HTTP/1.1 405 Method Not Allowed\r\n", 33), "%s", r);
	ck_assert_ptr_nonnull(strstr(r, "Allow: GET, HEAD\r\n"));
	r = request("BREW /hello HTTP/1.1\r\nHost: x\r\n\r\n");
	ck_assert_msg(!strncmp(r, "HTTP/1.1 405", 12), "%s", r);
	ck_assert_int_eq(calls, 0);
}
END_TEST

START_TEST(too_long_and_garbage)
{
	size_t n = 2 * AGENT_HTTPD_MEM_LIMIT;
	char *req = malloc(n + 64), *r;
	int fd;

	ck_assert_ptr_nonnull(req);
	memcpy(req, "GET /hello?", 11);
	memset(req + 11, 'a', n);
	strcpy(req + 11 + n, " HTTP/1.1\r\nHost: x\r\n\r\n");
	fd = client();
	r = exchange(fd, req, strlen(req));
	close(fd);
	ck_assert_msg(!strncmp(r, "HTTP/1.1 414", 12), "%.60s", r);
	free(req);
	r = request("\001\002 garbage\r\n\r\n");
	ck_assert_msg(!strncmp(r, "HTTP/1.1 400", 12), "%.60s", r);
	r = request("hello world foo\r\n\r\n");
	ck_assert_msg(!strncmp(r, "HTTP/1.1 400", 12), "%.60s", r);
	r = request("GET /hello HTTP/1.1\r\nno colon\r\n\r\n");
	ck_assert_msg(!strncmp(r, "HTTP/1.1 400", 12), "%.60s", r);
	/* No space at all is no request line: libmicrohttpd closes. */
	r = request("\001\002garbage\r\n\r\n");
	ck_assert_str_eq(r, "");
	r = request("GET /hello HTTP/9.9\r\n\r\n");
	ck_assert_msg(!strncmp(r, "HTTP/1.1 505", 12) || !strncmp(r, "HTTP/1.1 400", 12),
		      "%.60s", r);
	ck_assert_int_eq(calls, 0);
}
END_TEST

/* Two requests on one connection. */
START_TEST(keep_alive)
{
	int fd = client();
	const char *one = "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n";
	const char *two = "GET /hello?who=again HTTP/1.1\r\nHost: x\r\n\r\n";
	char *r = exchange(fd, one, strlen(one));

	ck_assert_ptr_nonnull(strstr(r, "hello world"));
	r = exchange(fd, two, strlen(two));
	ck_assert_ptr_nonnull(strstr(r, "hello again"));
	ck_assert_uint_eq(agent_httpd_connections(h), 1);
	close(fd);
	ck_assert_int_eq(calls, 2);
}
END_TEST

/* A port that is taken: a clear error, no server. */
START_TEST(port_taken)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct agent_httpd_conf conf = { "again", routes, 1, NULL };
	char err[256] = "";

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons(agent_httpd_port(h));
	ck_assert_ptr_null(agent_httpd_start(loop, (struct sockaddr *)&sa, sizeof(sa),
					     &conf, err, sizeof(err)));
	ck_assert_msg(strstr(err, "cannot listen"), "%s", err);
}
END_TEST

Suite *httpd_suite(void)
{
	Suite *s = suite_create("httpd");
	TCase *p = tcase_create("parse");
	TCase *live = tcase_create("live");

	tcase_add_test(p, parse_addresses);
	suite_add_tcase(s, p);
	tcase_add_checked_fixture(live, setup, teardown);
	tcase_add_test(live, answers);
	tcase_add_test(live, unknown_path_and_method);
	tcase_add_test(live, too_long_and_garbage);
	tcase_add_test(live, keep_alive);
	tcase_add_test(live, port_taken);
	suite_add_tcase(s, live);
	return s;
}
