/*
 * ipvs/parse.h - read ipvsadm's rule notation (the lines of `ipvsadm -Sn`,
 * the input of `ipvsadm -R`) into operations.  The inverse of ipvs_op_fmt(),
 * so `ipvsagent restore` takes exactly what `ipvsadm -R` takes for the
 * commands that define state (-A -E -D -a -e -d).  Numeric addresses only.
 */
#ifndef IPVS_PARSE_H
#define IPVS_PARSE_H

#include <stddef.h>

#include "op.h"

/*
 * Parse one line.  Returns 1 and fills @op, 0 for a blank or comment line,
 * or -EINVAL with the reason in @why.
 */
int ipvs_op_parse(const char *line, struct ipvs_op *op, char *why, size_t len);

#endif
