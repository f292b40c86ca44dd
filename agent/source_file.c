/*
 * agent/source_file.c - reading the objects file.
 */
#include "source_file.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "k8s/decode.h"
#include "heap.h"
#include "log.h"

/* A file larger than this is a mistake, not a cluster. */
#define FILE_MAX (1024L * 1024 * 1024)

struct reading {
	struct agent_file_source *f;
	struct k8s_store *next;
	int fd;                    /* the file, while it is streamed */
	size_t nread;              /* bytes read from it */
	/* While streaming, warnings wait here: a document found broken
	 * later must change nothing, not even the log and the counters. */
	char **held;
	size_t nheld, capheld;
	int held_lost;             /* a warning could not be held */
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

static void warn_line(struct agent_file_source *f, const char *line)
{
	f->rejected++;
	agent_log(AGENT_LOG_WARN, "%s", line);
}

static void warn(void *arg, const char *kind, const char *ns, const char *name,
		 const char *reason)
{
	struct reading *r = arg;
	char line[512], **p;

	snprintf(line, sizeof(line), "%s %s%s%s: %s (left out)", kind, ns,
		 *ns ? "/" : "", name, reason);
	if (r->fd < 0) {
		warn_line(r->f, line);
		return;
	}
	if (r->nheld == r->capheld) {
		r->capheld = r->capheld ? r->capheld * 2 : 16;
		if (!(p = realloc(r->held, r->capheld * sizeof(*p)))) {
			r->held_lost = 1;
			return;
		}
		r->held = p;
	}
	if (!(r->held[r->nheld] = strdup(line)))
		r->held_lost = 1;
	else
		r->nheld++;
}

/* Log the held warnings (@keep) or forget them. */
static void release_held(struct reading *r, int keep)
{
	size_t i;

	for (i = 0; i < r->nheld; i++) {
		if (keep)
			warn_line(r->f, r->held[i]);
		free(r->held[i]);
	}
	if (keep && r->held_lost)
		agent_log(AGENT_LOG_WARN, "%s: more objects were left out "
			  "(out of memory for their warnings)", r->f->path);
	free(r->held);
	r->held = NULL;
	r->nheld = r->capheld = 0;
	r->held_lost = 0;
}

static ssize_t read_some(void *arg, char *buf, size_t len)
{
	struct reading *r = arg;
	ssize_t n;

	if (r->nread > FILE_MAX)
		return -EFBIG;
	n = read(r->fd, buf, len);
	if (n < 0)
		return -errno;
	r->nread += (size_t)n;
	return n;
}

/*
 * The common case: the file streamed through a small buffer, each item
 * decoded into r->next as it comes.  -EAGAIN when the file must be read
 * whole instead (it is broken, or unusual: see k8s_decode_list_read).
 */
static int read_stream(struct reading *r, char *err, size_t errlen)
{
	struct k8s_list_cb cb = { got_service, got_slice, got_node, r };
	struct k8s_decode_log log = { warn, r };
	int n;

	if ((r->fd = open(r->f->path, O_RDONLY | O_CLOEXEC)) < 0) {
		n = -errno;
		snprintf(err, errlen, "%s", strerror(-n));
		return n;
	}
	n = k8s_decode_list_read(read_some, r, &cb, &log, err, errlen);
	close(r->fd);
	r->fd = -1;
	release_held(r, n >= 0);
	return n;
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

/* The file read whole, checked whole: exact line and column for a
 * broken file, and the unusual shapes of document. */
static int read_whole(struct reading *r, char *err, size_t errlen)
{
	struct k8s_list_cb cb = { got_service, got_slice, got_node, r };
	struct k8s_decode_log log = { warn, r };
	size_t len = 0;
	char *text;
	int n;

	errno = 0;
	if (!(text = slurp(r->f->path, &len))) {
		snprintf(err, errlen, "%s", strerror(errno));
		return errno ? -errno : -EIO;
	}
	n = k8s_decode_list(text, len, &cb, &log, err, errlen);
	free(text);
	return n;
}

/*
 * Heap room, made present at once, for what the first reading builds
 * (agent/heap.h), in tenths of the file's size: the store while decoding
 * and the desired state it is translated into, then the sync's first
 * batch and its cache of the kernel (taken again after the receiver
 * returns: it may trim the heap).  Measured on `kubectl get -o json`-like
 * files: 10,000 Services x 10 endpoints in 18 MB build 28 MB, then 12 MB
 * more.  The sync gives back what is not used when its first batch ends.
 */
#define RESERVE_READING 16
#define RESERVE_SYNC 10

static void reserve(struct agent_file_source *f, size_t tenths)
{
	struct stat st;

	if (!stat(f->path, &st) && st.st_size > 0 && st.st_size <= FILE_MAX)
		agent_heap_reserve((size_t)st.st_size / 10 * tenths);
}

int agent_file_source_read(struct agent_file_source *f)
{
	struct reading r = { .f = f, .next = k8s_store_new(), .fd = -1 };
	char err[256];
	int n;

	if (!r.next)
		return -ENOMEM;
	if (!f->loads)
		reserve(f, RESERVE_READING);
	n = read_stream(&r, err, sizeof(err));
	if (n == -EAGAIN) {
		/* What the stream delivered is thrown away with the store. */
		k8s_store_free(r.next);
		if ((r.next = k8s_store_new())) {
			n = read_whole(&r, err, sizeof(err));
		} else {
			n = -ENOMEM;
			snprintf(err, sizeof(err), "out of memory");
		}
	}
	if (n < 0) {
		f->errors++;
		agent_log(AGENT_LOG_ERROR, "%s: %s; keeping the last good state",
			  f->path, err);
		k8s_store_free(r.next);
		if (!f->loads)
			agent_heap_release();
		return n;
	}
	f->loads++;
	agent_logv(1, "%s: %zu services, %zu endpoint slices", f->path,
		   k8s_store_nservices(r.next), k8s_store_nslices(r.next));
	f->loaded(f->arg, r.next);
	if (f->loads == 1)
		reserve(f, RESERVE_SYNC);
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
