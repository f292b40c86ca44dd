/*
 * agent/main.c - ipvsagent's entry point.
 *
 * ipvsagent implements Kubernetes Services with the kernel's IPVS.  This
 * file only dispatches: the IPVS model lives in ipvs/, the kernel client in
 * netlink/, the API client in k8s/, and the daemon's parts beside this file.
 */
#include <stdio.h>
#include <string.h>

#include "cmd_ipvs.h"

#define IPVSAGENT_VERSION "0.1.0"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: ipvsagent COMMAND\n"
		"\n"
		"Commands:\n"
		"  save       print the kernel's IPVS table in ipvsadm -Sn notation\n"
		"  restore    apply ipvsadm rule lines (-A -E -D -a -e -d) read\n"
		"             from standard input, in one batch\n"
		"  version    print the version\n"
		"\n"
		"Options:\n"
		"  -h, --help     this text\n"
		"      --version  print the version\n");
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
		printf("ipvsagent %s\n", IPVSAGENT_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "save") && argc == 2)
		return cmd_ipvs_save(stdout);
	if (!strcmp(cmd, "restore") && argc == 2)
		return cmd_ipvs_restore(stdin, stderr);
	fprintf(stderr, "ipvsagent: unknown command '%s'\n", cmd);
	usage(stderr);
	return 2;
}
