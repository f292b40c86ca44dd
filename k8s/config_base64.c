/*
 * k8s/config_base64.c - the base64 of a kubeconfig's *-data fields.
 *
 * Written here rather than borrowed: libcurl keeps its decoder private,
 * libyaml has none, and OpenSSL's EVP_DecodeBlock would add a link
 * dependency for twenty lines while accepting what Go rejects (it skips
 * blanks, ignores what follows padding, and counts the padding into the
 * length it returns).  A kubeconfig that kubectl rejects must not work
 * here, and the other way round; and the offset of the first bad byte
 * makes a useful message.  O(length), one allocation.
 */
#include "config_int.h"

#include <errno.h>
#include <stdlib.h>

/* The 6-bit value of @ch, or -1 outside the standard alphabet. */
static int b64_value(unsigned char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

int k8s_cfg_base64(const char *in, size_t len, char **out, size_t *outlen,
		   size_t *bad)
{
	unsigned long acc = 0; /* bits of the current group of four */
	unsigned int n = 0;    /* characters of it so far, padding included */
	unsigned int pad = 0;  /* '=' of it so far */
	int done = 0;          /* a padded group ended: nothing may follow */
	size_t i, o = 0;
	char *buf;
	int v;

	*out = NULL;
	*outlen = 0;
	buf = malloc(len / 4 * 3 + 4);
	if (!buf)
		return -ENOMEM;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)in[i];

		if (ch == '\r' || ch == '\n')
			continue;
		if (done)
			goto bad;
		if (ch == '=') {
			/* "x===" and "====" carry less than a byte. */
			if (n < 2)
				goto bad;
			pad++;
		} else {
			v = b64_value(ch);
			if (v < 0 || pad)
				goto bad;
			acc = acc << 6 | (unsigned long)v;
		}
		if (++n < 4)
			continue;
		/* Padding is not shifted in: 24, 18 or 12 bits are held. */
		acc <<= 6 * pad;
		buf[o++] = (char)(acc >> 16 & 0xff);
		if (pad < 2)
			buf[o++] = (char)(acc >> 8 & 0xff);
		if (pad < 1)
			buf[o++] = (char)(acc & 0xff);
		done = pad > 0;
		acc = 0;
		n = 0;
		pad = 0;
	}
	if (n) {
		i = len;
		goto bad;
	}
	buf[o] = '\0';
	*out = buf;
	*outlen = o;
	return 0;
bad:
	free(buf);
	*bad = i;
	return -EINVAL;
}
