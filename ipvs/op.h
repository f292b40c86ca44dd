/*
 * ipvs/op.h - one change to the kernel's IPVS table.
 *
 * A sync turns into an ordered array of these; the netlink layer applies
 * the array and writes each operation's own result back into it.
 */
#ifndef IPVS_OP_H
#define IPVS_OP_H

#include <stddef.h>

#include "service.h"

enum ipvs_op_kind {
	IPVS_OP_ADD_SERVICE,
	IPVS_OP_EDIT_SERVICE,
	IPVS_OP_DEL_SERVICE,
	IPVS_OP_ADD_DEST,
	IPVS_OP_EDIT_DEST,
	IPVS_OP_DEL_DEST,
};

struct ipvs_op {
	enum ipvs_op_kind kind;
	struct ipvs_service svc;  /* the service, or the real server's service */
	struct ipvs_dest dest;    /* the real server; unused by service ops */
	int err;                  /* result: 0, or the kernel's errno (> 0) */
};

/* True for the three real-server kinds. */
int ipvs_op_is_dest(enum ipvs_op_kind kind);

/* Validate the op's objects as the kernel would; 0 or -EINVAL with @why. */
int ipvs_op_check(const struct ipvs_op *op, char *why, size_t len);

/*
 * The op as an ipvsadm command line: "-A -t 10.0.0.1:80 -s rr",
 * "-e -t 10.0.0.1:80 -r 10.1.1.1:80 -m -w 0", "-D -t 10.0.0.1:80".
 * Returns @buf; IPVS_FMT_MAX bytes are always enough.
 */
char *ipvs_op_fmt(const struct ipvs_op *op, char *buf, size_t len);

/*
 * A message for a failed op that names the object, in the manner of
 * ipvsadm: "-a -t 10.0.0.1:80 -r 10.9.9.9:80 -m -w 1: Service not defined
 * (ESRCH)".  Returns @buf.
 */
char *ipvs_op_strerror(const struct ipvs_op *op, char *buf, size_t len);

#endif
