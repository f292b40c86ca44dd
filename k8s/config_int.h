/*
 * k8s/config_int.h - what the config loaders share (private to
 * k8s/config*.c): messages, files, tokens, server URLs and base64.
 */
#ifndef K8S_CONFIG_INT_H
#define K8S_CONFIG_INT_H

#include <stddef.h>

#include "config.h"

/* Bounds on what we read whole.  Kubeconfigs with many clusters and
 * embedded certificates stay well under a megabyte; tokens are ~1 KiB. */
#define K8S_CFG_FILE_MAX (16u << 20)
#define K8S_CFG_TOKEN_MAX (64u << 10)

/* printf into @err (may be NULL) and return @ret. */
int k8s_cfg_fail(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * The whole of @path, NUL-terminated (the length excludes the NUL).
 * 0, -errno, -EISDIR, -EFBIG (more than @max bytes) or -ENOMEM.
 */
int k8s_cfg_read_file(const char *path, size_t max, char **buf, size_t *len);

/* 0 when @path opens for reading and is not a directory, else -errno. */
int k8s_cfg_readable(const char *path);

/* A token file's content without surrounding whitespace, as client-go
 * reads it.  0, -errno, -ENODATA (empty), -EILSEQ (see below), -ENOMEM. */
int k8s_cfg_read_token(const char *path, char **tok);

/* -EILSEQ when a token holds a control character or NUL: it goes into an
 * HTTP header, where a CR or LF would end it.  Else 0. */
int k8s_cfg_token_check(const char *s, size_t len);

/* The human reason for a k8s_cfg_read_* error. */
const char *k8s_cfg_strerror(int neg_errno);

/*
 * @url as the server: without a scheme it gets https:// when @tls (a CA,
 * a client certificate or insecure is configured), else http://, as
 * client-go's DefaultServerURL; trailing slashes go.  0, -EINVAL (@why
 * says why) or -ENOMEM.
 */
int k8s_cfg_server(const char *url, int tls, char **out, char *why,
		   size_t whylen);

/* Whether @c has anything that makes client-go default to https. */
int k8s_cfg_wants_tls(const struct k8s_config *c);

/* @c's clock (the hook, or CLOCK_MONOTONIC). */
time_t k8s_cfg_now(const struct k8s_config *c);

/*
 * Decode standard, padded base64 (RFC 4648 section 4) as Go's
 * base64.StdEncoding does for a kubeconfig's []byte fields: CR and LF are
 * skipped anywhere, anything else outside the alphabet is an error, and
 * so is missing or misplaced padding.  *@out is NUL-terminated (not
 * counted in *@outlen).  0; -EINVAL with *@bad = the offset of the first
 * bad byte (@len when the input ends inside a group); -ENOMEM.
 */
int k8s_cfg_base64(const char *in, size_t len, char **out, size_t *outlen,
		   size_t *bad);

/* "path" joined to @dir unless it is absolute.  NULL when out of memory. */
char *k8s_cfg_path_join(const char *dir, const char *path);

/* The absolute directory of file @path (getcwd() for a relative one).
 * NULL with errno set on failure. */
char *k8s_cfg_dir_of(const char *path);

#endif
