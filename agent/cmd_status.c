/*
 * agent/cmd_status.c - `ipvsagent status`: one blocking GET with libcurl
 * (a command line tool may wait), then the table or the JSON.
 */
#include "cmd_status.h"

#include <cJSON.h>
#include <curl/curl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "status_table.h"

#define STATUS_DEFAULT_ADDRESS "127.0.0.1:10249"

struct status_opts {
	const char *address;     /* --address HOST:PORT */
	const char *service;     /* --service NS/NAME, or NULL */
	int json;                /* --json */
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: ipvsagent status [--address HOST:PORT] [--json] [--service NS/NAME]\n"
"\n"
"What a running agent has programmed, from its /status endpoint:\n"
"its health, then each Service's virtual servers and real servers.\n"
"\n"
"  --address HOST:PORT   the agent's --metrics-bind-address\n"
"                        (default " STATUS_DEFAULT_ADDRESS ")\n"
"  --json                the /status document as the agent sent it\n"
"  --service NS/NAME     one Service only\n"
"\n"
"Colour on a terminal unless NO_COLOR is set.  Exit status: 0 healthy,\n"
"1 unhealthy (or no such Service), 2 the agent cannot be reached.\n");
}

static int parse(struct status_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "address", required_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "service", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->address = STATUS_DEFAULT_ADDRESS;
	optind = 0;
	opterr = 0;   /* our own message: getopt would say "status: ..." */
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'a': o->address = optarg; break;
		case 'j': o->json = 1; break;
		case 's': o->service = optarg; break;
		case 'h': usage(stdout); return 1;
		default:
			fprintf(stderr, "ipvsagent status: bad option %s\n\n",
				argv[optind - 1]);
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc || (o->service && !strchr(o->service, '/'))) {
		usage(stderr);
		return -1;
	}
	return 0;
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct agent_buf *b = arg;

	agent_buf_put(b, p, size * n);
	return b->oom ? 0 : size * n;
}

/* GET /status into @body; the HTTP status, or 0 after saying why not. */
static long fetch(CURL *c, const struct status_opts *o, struct agent_buf *body)
{
	char url[1024], *svc = NULL, err[CURL_ERROR_SIZE] = "";
	long code = 0;
	CURLcode rc;

	if (o->service)
		svc = curl_easy_escape(c, o->service, 0);
	snprintf(url, sizeof(url), "http://%s/status%s%s", o->address,
		 svc ? "?service=" : "", svc ? svc : "");
	curl_free(svc);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 3L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	else
		fprintf(stderr, "ipvsagent status: cannot reach the agent at %s: "
			"%s\n  (is ipvsagent running, and is this its "
			"--metrics-bind-address? try --address HOST:PORT)\n",
			url, *err ? err : curl_easy_strerror(rc));
	return code;
}

/* The answer, as JSON or as the table; the exit status. */
static int show(const struct status_opts *o, long code, struct agent_buf *body)
{
	cJSON *doc = body->p ? cJSON_Parse(body->p) : NULL;
	const cJSON *h;
	int r;

	if (!doc || (code != 200 && code != 404)) {
		fprintf(stderr, "ipvsagent status: %s answered HTTP %ld%s\n",
			o->address, code, doc ? "" : " without a /status document");
		cJSON_Delete(doc);
		return 2;
	}
	h = cJSON_GetObjectItemCaseSensitive(doc, "healthy");
	if (code == 404) {
		fprintf(stderr, "ipvsagent status: no Service %s in the agent "
			"(unknown, or nothing to program for it)\n", o->service);
		r = 1;
	} else if (o->json) {
		fputs(body->p, stdout);
		r = cJSON_IsTrue(h) ? 0 : 1;
	} else {
		r = agent_status_render(stdout, doc,
					isatty(1) && !(getenv("NO_COLOR") &&
						       *getenv("NO_COLOR")));
	}
	cJSON_Delete(doc);
	return r;
}

int cmd_status(int argc, char **argv)
{
	struct status_opts o;
	struct agent_buf body;
	CURL *c;
	long code;
	int r;

	if ((r = parse(&o, argc, argv)))
		return r > 0 ? 0 : 2;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) || !(c = curl_easy_init())) {
		fprintf(stderr, "ipvsagent status: libcurl would not start\n");
		return 2;
	}
	agent_buf_init(&body);
	code = fetch(c, &o, &body);
	r = code ? show(&o, code, &body) : 2;
	agent_buf_fini(&body);
	curl_easy_cleanup(c);
	curl_global_cleanup();
	return r;
}
