/*
 * agent/owner.h - what the agent owns, on disk.
 *
 * Foreign IPVS services are sacred, so the agent must know, across
 * restarts and crashes, which services it created.  The record is written
 * atomically (temporary file, fsync, rename) BEFORE the kernel is changed:
 * a crash between the two leaves a record of a service that does not
 * exist yet, which the next verification simply forgets - never a service
 * of ours that we would take for foreign.
 *
 * Format, one record a line:
 *   service -t 10.96.0.1:443        (a service key in ipvsadm notation)
 *   address 10.96.0.1               (a VIP we bound on the dummy interface)
 *   dummy kube-ipvs0                (we created this interface)
 */
#ifndef AGENT_OWNER_H
#define AGENT_OWNER_H

#include "ipvs/state.h"
#include "strmap.h"

struct agent_owner {
	char *path;                /* STATE_DIR/owned */
	struct ipvs_state *svcs;   /* owned service keys (a set) */
	struct strmap addrs;       /* bound VIPs, text -> (void *)1 */
	char *dummy;               /* interface we created, or NULL */
	int dirty;                 /* changed since the last save */
};

/* Read @dir/owned if it exists (a missing file is an empty record). */
int agent_owner_load(struct agent_owner *o, const char *dir);
void agent_owner_fini(struct agent_owner *o);

/* Write the record if it changed; 0 or -errno.  Atomic. */
int agent_owner_save(struct agent_owner *o);

int agent_owner_has(const struct agent_owner *o, const struct ipvs_service_key *k);
int agent_owner_add(struct agent_owner *o, const struct ipvs_service_key *k);
void agent_owner_del(struct agent_owner *o, const struct ipvs_service_key *k);

#endif
