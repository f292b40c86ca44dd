/*
 * ipvs/op.c - formatting and checking of single IPVS changes.
 */
#include "op.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int ipvs_op_is_dest(enum ipvs_op_kind kind)
{
	return kind == IPVS_OP_ADD_DEST || kind == IPVS_OP_EDIT_DEST ||
	       kind == IPVS_OP_DEL_DEST;
}

int ipvs_op_check(const struct ipvs_op *op, char *why, size_t len)
{
	int r;

	if (!op) {
		if (why && len)
			snprintf(why, len, "no operation");
		return -EINVAL;
	}
	if (op->kind > IPVS_OP_DEL_DEST) {
		if (why && len)
			snprintf(why, len, "unknown operation %d", op->kind);
		return -EINVAL;
	}
	/* Only a service op carries the service's configuration; the others
	 * name it by key, as the kernel reads them. */
	if (op->kind == IPVS_OP_ADD_SERVICE || op->kind == IPVS_OP_EDIT_SERVICE)
		r = ipvs_service_check(&op->svc, why, len);
	else
		r = ipvs_service_key_check(&op->svc.key, 1, why, len);
	if (r || !ipvs_op_is_dest(op->kind))
		return r;
	if (op->kind == IPVS_OP_DEL_DEST) {
		if (!ipvs_addr_len(op->dest.af)) {
			if (why && len)
				snprintf(why, len, "unknown address family %u",
					 op->dest.af);
			return -EINVAL;
		}
		return 0;
	}
	return ipvs_dest_check(&op->svc, &op->dest, why, len);
}

/* The add formats carry every field; edits and deletes change the verb. */
char *ipvs_op_fmt(const struct ipvs_op *op, char *buf, size_t len)
{
	char key[IPVS_FMT_MAX], ap[IPVS_ADDRPORT_STRLEN];

	switch (op->kind) {
	case IPVS_OP_ADD_SERVICE:
	case IPVS_OP_EDIT_SERVICE:
		ipvs_service_fmt(&op->svc, buf, len);
		break;
	case IPVS_OP_ADD_DEST:
	case IPVS_OP_EDIT_DEST:
		ipvs_dest_fmt(&op->svc, &op->dest, buf, len);
		break;
	case IPVS_OP_DEL_SERVICE:
		snprintf(buf, len, "-D %s",
			 ipvs_service_key_fmt(&op->svc.key, key, sizeof(key)));
		return buf;
	case IPVS_OP_DEL_DEST:
		snprintf(buf, len, "-d %s -r %s",
			 ipvs_service_key_fmt(&op->svc.key, key, sizeof(key)),
			 ipvs_addrport_fmt(op->dest.af, &op->dest.addr,
					   op->dest.port, ap, sizeof(ap)));
		return buf;
	default:
		snprintf(buf, len, "?op%d", op->kind);
		return buf;
	}
	/* len > 2: a shorter buffer holds no verb letter to change. */
	if ((op->kind == IPVS_OP_EDIT_SERVICE || op->kind == IPVS_OP_EDIT_DEST) &&
	    len > 2)
		buf[1] = op->kind == IPVS_OP_EDIT_SERVICE ? 'E' : 'e';
	return buf;
}

/* The kernel's errno means different things for services and real servers. */
static const char *op_err_text(const struct ipvs_op *op)
{
	int dest = ipvs_op_is_dest(op->kind);

	switch (op->err) {
	case ESRCH:
		return "Service not defined";
	case ENOENT:
		return dest ? "No such destination"
			    : "Scheduler or persistence engine not found";
	case EEXIST:
		return dest ? "Destination already exists"
			    : "Service already exists";
	default:
		return strerror(op->err);
	}
}

static const char *errno_name(int err)
{
	switch (err) {
	case ESRCH: return "ESRCH";
	case ENOENT: return "ENOENT";
	case EEXIST: return "EEXIST";
	case EINVAL: return "EINVAL";
	case ENOMEM: return "ENOMEM";
	case EPERM: return "EPERM";
	case EBUSY: return "EBUSY";
	case ENOBUFS: return "ENOBUFS";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EAFNOSUPPORT: return "EAFNOSUPPORT";
	default: return "errno";
	}
}

char *ipvs_op_strerror(const struct ipvs_op *op, char *buf, size_t len)
{
	char cmd[IPVS_FMT_MAX];

	snprintf(buf, len, "%s: %s (%s %d)", ipvs_op_fmt(op, cmd, sizeof(cmd)),
		 op_err_text(op), errno_name(op->err), op->err);
	return buf;
}
