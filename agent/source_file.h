/*
 * agent/source_file.h - the file source: Services and EndpointSlices (and
 * optionally this Node) from a JSON List, as `kubectl get
 * services,endpointslices -A -o json` prints it.  Read at start, again
 * when the file changes (an ev_stat watcher: rename-into-place works) and
 * on SIGHUP.  A file that does not parse is reported with its position and
 * changes nothing: the last good state stays in force.
 */
#ifndef AGENT_SOURCE_FILE_H
#define AGENT_SOURCE_FILE_H

#include <ev.h>
#include <stddef.h>

#include "k8s/store.h"

struct agent_file_source {
	const char *path;
	const char *node_name;         /* keep only this Node */
	struct ev_loop *loop;
	ev_stat stat;
	ev_signal hup;
	/* Receives each good reading as a new store (this node's Node
	 * included, if the file has it), and takes it. */
	void (*loaded)(void *arg, struct k8s_store *next);
	void *arg;
	unsigned long loads, errors, rejected;
};

/* Read once now, then watch; returns the first reading's result (the
 * watchers run either way, so a file that appears later is read). */
int agent_file_source_start(struct agent_file_source *f, struct ev_loop *loop);
void agent_file_source_stop(struct agent_file_source *f);

/* Read the file now; 0 or -errno (the reason is logged). */
int agent_file_source_read(struct agent_file_source *f);

#endif
