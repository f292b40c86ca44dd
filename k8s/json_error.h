/*
 * k8s/json_error.h - say where and why a JSON document is broken.
 *
 * cJSON only reports an error position, and an ambiguous one: a document
 * cut short is reported at its last byte, the same as a bad last byte, and
 * an unterminated string at its first character.  Operators fixing a file
 * need "line 40, column 1: unexpected end of input", so when cJSON fails we
 * run this strict RFC 8259 scanner over the text to find the first error
 * and name it.  It allocates nothing and runs only on the failure path;
 * it is O(length).
 */
#ifndef K8S_JSON_ERROR_H
#define K8S_JSON_ERROR_H

#include <stddef.h>

/*
 * Scan @len bytes of @text as one JSON document (whitespace around it
 * allowed).  Returns 1 with *@pos = offset of the first error (@len for
 * "unexpected end of input") and a description in @what; 0 when the text
 * is valid JSON (nesting is limited to cJSON's CJSON_NESTING_LIMIT).
 */
int k8s_json_error(const char *text, size_t len, size_t *pos, char *what,
		   size_t whatlen);

/* 1-based line and byte column of offset @pos. */
void k8s_json_line_col(const char *text, size_t pos, unsigned long *line,
		       unsigned long *col);

#endif
