/*
 * agent/options_config.h - --config: kube-proxy's KubeProxyConfiguration
 * (kubeproxy.config.k8s.io/v1alpha1, YAML or JSON), as kubeadm writes it
 * into the kube-proxy ConfigMap.  Each field that has an ipvsagent flag
 * goes through that flag's own parser (agent_options_set), so a value
 * means the same in the file and on the command line.  Between
 * options.c and options_config.c only.
 */
#ifndef AGENT_OPTIONS_CONFIG_H
#define AGENT_OPTIONS_CONFIG_H

#include <stddef.h>

struct agent_options;

/* Where a value comes from, for messages. */
struct agent_options_src {
	const char *flag;   /* the long name of the flag it sets */
	const char *file;   /* the --config file; NULL: the command line */
	const char *field;  /* the file's field, e.g. "ipvs.syncPeriod" */
	size_t line;        /* 1-based line of the value in the file */
};

/*
 * Set what --@src->flag sets, from @value (which a list flag cuts in
 * place, and which must live as long as @o).  0, or -EINVAL after
 * printing the problem with its source.  In options.c.
 */
int agent_options_set(struct agent_options *o,
		      const struct agent_options_src *src, char *value);

/* A copy of @s that @o owns (agent_options_fini frees it); NULL when out
 * of memory.  In options.c. */
char *agent_options_keep(struct agent_options *o, const char *s, size_t len);

/*
 * Read the KubeProxyConfiguration at @path onto @o.  Zero values ("",
 * 0s, false, null) mean kube-proxy's default and change nothing.  Fields
 * ipvsagent has no use for are accepted; those set to something else than
 * kube-proxy's default are named in one info line.  Unknown fields are
 * warnings.  0, or -EINVAL (-ENOMEM) after printing the problem, with
 * its line.
 */
int agent_options_config_load(struct agent_options *o, const char *path);

#endif
