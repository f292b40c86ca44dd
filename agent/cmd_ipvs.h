/*
 * agent/cmd_ipvs.h - `ipvsagent save` and `ipvsagent restore`: the IPVS
 * table in ipvsadm's rule notation, through our netlink client.  Operators
 * use them to look at and seed the kernel; the benchmarks use them to
 * measure the client against ipvsadm on the same rules.
 */
#ifndef AGENT_CMD_IPVS_H
#define AGENT_CMD_IPVS_H

#include <stdio.h>

/* Print every service and real server like `ipvsadm -Sn`; exit status. */
int cmd_ipvs_save(FILE *out);

/* Apply the rule lines read from @in in one batch; exit status. */
int cmd_ipvs_restore(FILE *in, FILE *err);

#endif
