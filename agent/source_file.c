/*
 * agent/source_file.c - reading the objects file.
 */
#include "source_file.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8s/decode.h"
#include "log.h"

/* A file larger than this is a mistake, not a cluster. */
#define FILE_MAX (1024L * 1024 * 1024)

struct reading {
	struct agent_file_source *f;
	struct k8s_store *next;
};

static int got_service(void *arg, struct k8s_service *s)
{
	return k8s_store_put_service(((struct reading *)arg)->next, s);
}

static int got_slice(void *arg, struct k8s_endpointslice *e)
{
	return k8s_store_put_slice(((struct reading *)arg)->next, e);
}

static int got_node(void *arg, struct k8s_node *n)
{
	struct reading *r = arg;

	if (r->f->node_name && strcmp(n->meta.name, r->f->node_name) == 0)
		k8s_store_set_node(r->next, n);
	else
		k8s_node_free(n);
	return 0;
}

static void warn(void *arg, const char *kind, const char *ns, const char *name,
		 const char *reason)
{
	struct agent_file_source *f = arg;

	f->rejected++;
	agent_log(AGENT_LOG_WARN, "%s %s%s%s: %s (left out)", kind, ns,
		  *ns ? "/" : "", name, reason);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	long size;

	if (!fp)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (size = ftell(fp)) >= 0 &&
	    size <= FILE_MAX && fseek(fp, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)size + 1))) {
		*len = fread(buf, 1, (size_t)size, fp);
		if (ferror(fp)) {
			free(buf);
			buf = NULL;
		}
	} else {
		errno = errno ? errno : EFBIG;
	}
	fclose(fp);
	return buf;
}

int agent_file_source_read(struct agent_file_source *f)
{
	struct reading r = { .f = f, .next = k8s_store_new() };
	struct k8s_list_cb cb = { got_service, got_slice, got_node, &r };
	struct k8s_decode_log log = { warn, f };
	char err[256];
	size_t len = 0;
	char *text;
	int n;

	errno = 0;
	if (!r.next)
		return -ENOMEM;
	if (!(text = slurp(f->path, &len))) {
		k8s_store_free(r.next);
		f->errors++;
		agent_log(AGENT_LOG_ERROR, "%s: %s; keeping the last good state",
			  f->path, strerror(errno));
		return -errno;
	}
	n = k8s_decode_list(text, len, &cb, &log, err, sizeof(err));
	free(text);
	if (n < 0) {
		f->errors++;
		agent_log(AGENT_LOG_ERROR, "%s: %s; keeping the last good state",
			  f->path, err);
		k8s_store_free(r.next);
		return n;
	}
	f->loads++;
	agent_logv(1, "%s: %zu services, %zu endpoint slices", f->path,
		   k8s_store_nservices(r.next), k8s_store_nslices(r.next));
	f->loaded(f->arg, r.next);
	return 0;
}

static void stat_cb(struct ev_loop *loop, ev_stat *w, int revents)
{
	struct agent_file_source *f = w->data;

	(void)loop;
	(void)revents;
	/* Deleted or emptied in the middle of a rewrite: wait for the file. */
	if (w->attr.st_nlink && w->attr.st_size)
		agent_file_source_read(f);
}

static void hup_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)loop;
	(void)revents;
	agent_log(AGENT_LOG_INFO, "SIGHUP: reading %s again",
		  ((struct agent_file_source *)w->data)->path);
	agent_file_source_read(w->data);
}

int agent_file_source_start(struct agent_file_source *f, struct ev_loop *loop)
{
	int r;

	f->loop = loop;
	r = agent_file_source_read(f);
	/* libev polls stat() when inotify is missing; a second is plenty. */
	ev_stat_init(&f->stat, stat_cb, f->path, 1.0);
	ev_signal_init(&f->hup, hup_cb, SIGHUP);
	f->stat.data = f->hup.data = f;
	ev_stat_start(loop, &f->stat);
	ev_signal_start(loop, &f->hup);
	return r;
}

void agent_file_source_stop(struct agent_file_source *f)
{
	ev_stat_stop(f->loop, &f->stat);
	ev_signal_stop(f->loop, &f->hup);
}
