/*
 * k8s/json_error.c - a recursive-descent JSON checker that stops at the
 * first error.  Recursion depth is bounded by CJSON_NESTING_LIMIT (1000
 * small frames).
 */
#include "json_error.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

struct json_scan {
	const unsigned char *p; /* the text */
	size_t len;             /* its length */
	size_t i;               /* the next byte */
	size_t depth;           /* open arrays and objects */
	char *what;             /* the description, once failed */
	size_t whatlen;
};

static int js_fail(struct json_scan *s, const char *what)
{
	snprintf(s->what, s->whatlen, "%s", what);
	return -1;
}

/* Either end of input or an unexpected byte at s->i. */
static int js_unexpected(struct json_scan *s, const char *wanted)
{
	unsigned char c;

	if (s->i >= s->len)
		return js_fail(s, "unexpected end of input");
	c = s->p[s->i];
	if (c > 0x20 && c < 0x7f)
		snprintf(s->what, s->whatlen, "unexpected '%c', expected %s",
			 c, wanted);
	else
		snprintf(s->what, s->whatlen,
			 "unexpected byte 0x%02x, expected %s", c, wanted);
	return -1;
}

static int js_at(const struct json_scan *s, unsigned char c)
{
	return s->i < s->len && s->p[s->i] == c;
}

static void js_ws(struct json_scan *s)
{
	unsigned char c;

	while (s->i < s->len && ((c = s->p[s->i]) == ' ' || c == '\n' ||
				 c == '\t' || c == '\r'))
		s->i++;
}

static int js_digits(struct json_scan *s)
{
	if (s->i >= s->len || s->p[s->i] < '0' || s->p[s->i] > '9')
		return js_unexpected(s, "a digit");
	while (s->i < s->len && s->p[s->i] >= '0' && s->p[s->i] <= '9')
		s->i++;
	return 0;
}

static int js_number(struct json_scan *s)
{
	if (js_at(s, '-'))
		s->i++;
	if (js_at(s, '0'))
		s->i++;
	else if (js_digits(s))
		return -1;
	if (js_at(s, '.')) {
		s->i++;
		if (js_digits(s))
			return -1;
	}
	if (js_at(s, 'e') || js_at(s, 'E')) {
		s->i++;
		if (js_at(s, '+') || js_at(s, '-'))
			s->i++;
		if (js_digits(s))
			return -1;
	}
	return 0;
}

static int js_literal(struct json_scan *s, const char *word)
{
	for (; *word; word++, s->i++) {
		if (!js_at(s, (unsigned char)*word))
			return js_unexpected(s, "true, false or null");
	}
	return 0;
}

/* Four hex digits after \u; the code unit in *@u. */
static int js_hex4(struct json_scan *s, unsigned *u)
{
	unsigned c, k;

	*u = 0;
	for (k = 0; k < 4; k++, s->i++) {
		if (s->i >= s->len)
			return js_unexpected(s, "");
		c = s->p[s->i];
		if (c >= '0' && c <= '9')
			c -= '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			c = (c | 0x20) - 'a' + 10;
		else
			return js_unexpected(s, "a hex digit");
		*u = *u << 4 | c;
	}
	return 0;
}

/* \uXXXX, with UTF-16 surrogates paired as cJSON requires. */
static int js_unicode(struct json_scan *s)
{
	size_t start = s->i - 2;
	unsigned u, lo;

	if (js_hex4(s, &u))
		return -1;
	if (u >= 0xdc00 && u <= 0xdfff)
		goto bad;
	if (u < 0xd800 || u > 0xdbff)
		return 0;
	if (!js_at(s, '\\') || s->i + 1 >= s->len || s->p[s->i + 1] != 'u')
		goto bad;
	s->i += 2;
	if (js_hex4(s, &lo))
		return -1;
	if (lo >= 0xdc00 && lo <= 0xdfff)
		return 0;
bad:
	s->i = start;
	return js_fail(s, "unpaired UTF-16 surrogate in \\u escape");
}

static int js_escape(struct json_scan *s)
{
	s->i++; /* the backslash */
	if (s->i >= s->len)
		return js_unexpected(s, "");
	if (s->p[s->i] == 'u') {
		s->i++;
		return js_unicode(s);
	}
	if (!strchr("\"\\/bfnrt", s->p[s->i]) || !s->p[s->i])
		return js_unexpected(s, "an escape character");
	s->i++;
	return 0;
}

static int js_string(struct json_scan *s)
{
	s->i++; /* the opening quote */
	for (;;) {
		/* The common bytes first, in a tight loop. */
		while (s->i < s->len && s->p[s->i] >= 0x20 && s->p[s->i] != '"' &&
		       s->p[s->i] != '\\')
			s->i++;
		if (s->i >= s->len)
			return js_fail(s, "unexpected end of input in a string");
		if (s->p[s->i] == '"') {
			s->i++;
			return 0;
		}
		if (s->p[s->i] < 0x20)
			return js_unexpected(s, "'\"' (control characters must be escaped)");
		if (s->p[s->i] == '\\') {
			if (js_escape(s))
				return -1;
		} else {
			s->i++;
		}
	}
}

static int js_value(struct json_scan *s);

/* Open an array or object; cJSON refuses more than its nesting limit. */
static int js_open(struct json_scan *s)
{
	if (s->depth >= CJSON_NESTING_LIMIT)
		return js_fail(s, "nested deeper than 1000 levels");
	s->depth++;
	s->i++;
	js_ws(s);
	return 0;
}

static int js_array(struct json_scan *s)
{
	if (js_open(s))
		return -1;
	if (js_at(s, ']'))
		goto done;
	for (;;) {
		if (js_value(s))
			return -1;
		js_ws(s);
		if (js_at(s, ']'))
			goto done;
		if (!js_at(s, ','))
			return js_unexpected(s, "',' or ']'");
		s->i++;
	}
done:
	s->i++;
	s->depth--;
	return 0;
}

static int js_member(struct json_scan *s)
{
	js_ws(s);
	if (!js_at(s, '"'))
		return js_unexpected(s, "a string key");
	if (js_string(s))
		return -1;
	js_ws(s);
	if (!js_at(s, ':'))
		return js_unexpected(s, "':'");
	s->i++;
	return js_value(s);
}

static int js_object(struct json_scan *s)
{
	if (js_open(s))
		return -1;
	if (js_at(s, '}'))
		goto done;
	for (;;) {
		if (js_member(s))
			return -1;
		js_ws(s);
		if (js_at(s, '}'))
			goto done;
		if (!js_at(s, ','))
			return js_unexpected(s, "',' or '}'");
		s->i++;
	}
done:
	s->i++;
	s->depth--;
	return 0;
}

static int js_value(struct json_scan *s)
{
	js_ws(s);
	if (s->i >= s->len)
		return js_unexpected(s, "");
	switch (s->p[s->i]) {
	case '{':
		return js_object(s);
	case '[':
		return js_array(s);
	case '"':
		return js_string(s);
	case 't':
		return js_literal(s, "true");
	case 'f':
		return js_literal(s, "false");
	case 'n':
		return js_literal(s, "null");
	default:
		if (s->p[s->i] == '-' ||
		    (s->p[s->i] >= '0' && s->p[s->i] <= '9'))
			return js_number(s);
		return js_unexpected(s, "a JSON value");
	}
}

int k8s_json_error(const char *text, size_t len, size_t *pos, char *what,
		   size_t whatlen)
{
	struct json_scan s = {
		.p = (const unsigned char *)text,
		.len = len,
		.what = what,
		.whatlen = whatlen,
	};

	if (!js_value(&s)) {
		js_ws(&s);
		if (s.i >= len)
			return 0;
		js_fail(&s, "unexpected data after the JSON document");
	}
	*pos = s.i;
	return 1;
}

void k8s_json_line_col(const char *text, size_t pos, unsigned long *line,
		       unsigned long *col)
{
	size_t i, bol = 0;

	*line = 1;
	for (i = 0; i < pos; i++) {
		if (text[i] == '\n') {
			(*line)++;
			bol = i + 1;
		}
	}
	*col = (unsigned long)(pos - bol) + 1;
}
