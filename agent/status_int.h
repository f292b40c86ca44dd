/*
 * agent/status_int.h - what the files of /status share.
 */
#ifndef AGENT_STATUS_INT_H
#define AGENT_STATUS_INT_H

#include "buf.h"

struct agent;

struct agent_status_counts {
	double vs_owned;        /* IPVS services the agent owns */
	double rs_owned;        /* their real servers */
	double vs_foreign;      /* services in the kernel it does not own */
};

/* O(services in the kernel). */
void agent_status_count(const struct agent *a, struct agent_status_counts *c);

/* ,"services":[...] - all, or only @only ("ns/name"); 1 when @only is
 * not a Service the agent translated (the list is then empty). */
int agent_status_services(struct agent_buf *b, const struct agent *a,
			  const char *only);

#endif
