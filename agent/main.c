/*
 * agent/main.c - ipvsagent's entry point.
 *
 * ipvsagent implements Kubernetes Services with the kernel's IPVS.  This
 * file only dispatches: the daemon is daemon.c (sources -> desired.c ->
 * sync.c), the IPVS model lives in ipvs/, the kernel clients in netlink/,
 * the Kubernetes objects in k8s/.
 */
#include <stdio.h>
#include <string.h>

#include "cmd_ipvs.h"
#include "cmd_status.h"
#include "daemon.h"
#include "options.h"
#include "version.h"

int main(int argc, char **argv)
{
	struct agent_options opt;
	const char *cmd = argc > 1 ? argv[1] : "";
	int r;

	if (!strcmp(cmd, "version")) {
		printf("ipvsagent %s\n", IPVSAGENT_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "save") && argc == 2)
		return cmd_ipvs_save(stdout);
	if (!strcmp(cmd, "restore") && argc == 2)
		return cmd_ipvs_restore(stdin, stderr);
	if (!strcmp(cmd, "status"))
		return cmd_status(argc - 1, argv + 1);
	r = agent_options_parse(&opt, argc, argv);
	if (r) {
		agent_options_fini(&opt);
		return r > 0 ? 0 : 2;
	}
	r = agent_daemon_run(&opt);
	agent_options_fini(&opt);
	return r;
}
