/*
 * k8s/json_stream.h - JSON values read one at a time from a byte stream
 * (a file), through a buffer that holds the value being read and the next
 * read's worth of bytes, never the stream: a List of 20,000 objects is
 * read in pieces of a few hundred KiB, parsed item by item.
 *
 * Values are as strict as k8s_json_error() (RFC 8259): cJSON alone would
 * take control characters for whitespace, a byte-order mark, and more.
 * What this says on bad text is only that it is bad: for the line and
 * column, read the text whole and ask k8s_json_error().
 */
#ifndef K8S_JSON_STREAM_H
#define K8S_JSON_STREAM_H

#include <stddef.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

struct k8s_json_in {
	/* Where the bytes come from: up to @len of them into @buf; the
	 * number read, 0 at the end, or a negative errno. */
	ssize_t (*read)(void *arg, char *buf, size_t len);
	void *arg;
	char *buf;        /* bytes [pos, end) are read and not yet used */
	size_t cap;       /* allocated */
	size_t pos;
	size_t end;
	int eof;          /* read() said the end */
	int err;          /* read()'s errno, or -ENOMEM: the input is over */
	struct k8s_json_block *trees; /* where the values' trees live */
};

void k8s_json_in_init(struct k8s_json_in *in,
		      ssize_t (*read)(void *arg, char *buf, size_t len),
		      void *arg);
void k8s_json_in_fini(struct k8s_json_in *in);

/* The next byte after JSON whitespace (which is used up), left unused:
 * 0..255, or -1 at the end of the input or when it failed (in->err). */
int k8s_json_in_peek(struct k8s_json_in *in);

/* Use up the byte k8s_json_in_peek() returned. */
void k8s_json_in_take(struct k8s_json_in *in);

/*
 * The value that starts at the next byte after whitespace, parsed and
 * used up: a tree that lives in the reader's own memory until the next
 * k8s_json_in_drop() (never cJSON_Delete() it).  NULL with *@rc
 * -EINVAL when the text there is not a valid JSON value, -ENOMEM, or
 * read()'s errno.  Cost: the value's bytes are scanned twice (cJSON, the
 * strict check); a value cut by the end of the buffer is parsed again
 * once more of it is in, with twice the bytes each time, so a value of
 * any size costs O(its size).
 */
cJSON *k8s_json_in_value(struct k8s_json_in *in, int *rc);

/*
 * Free every tree k8s_json_in_value() returned, at once.  Why not
 * cJSON_Delete(): a tree is dozens of small nodes and strings, and
 * parsing 20,000 items one after the other made malloc and free (and the
 * walk that frees them) about a sixth of the time of reading a file.
 * Here they come from blocks of the reader's, reused from one item to
 * the next.
 */
void k8s_json_in_drop(struct k8s_json_in *in);

#endif
