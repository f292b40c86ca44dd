/*
 * agent/owner.c - the ownership record.
 */
#include "owner.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ipvs/parse.h"

static int parse_line(struct agent_owner *o, char *line)
{
	char cmd[600], why[64];
	struct ipvs_op op;

	line[strcspn(line, "\n")] = '\0';
	if (strncmp(line, "service ", 8) == 0) {
		snprintf(cmd, sizeof(cmd), "-D %s", line + 8);
		if (ipvs_op_parse(cmd, &op, why, sizeof(why)) != 1)
			return -EINVAL;
		return agent_owner_add(o, &op.svc.key);
	}
	if (strncmp(line, "address ", 8) == 0)
		return strmap_put(&o->addrs, line + 8, (void *)1);
	if (strncmp(line, "dummy ", 6) == 0) {
		free(o->dummy);
		o->dummy = strdup(line + 6);
		return o->dummy ? 0 : -ENOMEM;
	}
	return line[0] && line[0] != '#' ? -EINVAL : 0;
}

int agent_owner_load(struct agent_owner *o, const char *dir)
{
	char line[512];
	FILE *f;
	int r = 0;

	memset(o, 0, sizeof(*o));
	strmap_init(&o->addrs);
	if (asprintf(&o->path, "%s/owned", dir) < 0 || !(o->svcs = ipvs_state_new()))
		return -ENOMEM;
	mkdir(dir, 0755);
	f = fopen(o->path, "r");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (fgets(line, sizeof(line), f))
		if (parse_line(o, line) == -EINVAL && !r) {
			fprintf(stderr, "ipvsagent: %s: ignoring bad line: %s\n", o->path, line);
			r = 0;
		}
	fclose(f);
	o->dirty = 0;
	return r;
}

void agent_owner_fini(struct agent_owner *o)
{
	ipvs_state_free(o->svcs);
	strmap_fini(&o->addrs);
	free(o->dummy);
	free(o->path);
	memset(o, 0, sizeof(*o));
}

int agent_owner_has(const struct agent_owner *o, const struct ipvs_service_key *k)
{
	return ipvs_state_find(o->svcs, k) != NULL;
}

int agent_owner_add(struct agent_owner *o, const struct ipvs_service_key *k)
{
	struct ipvs_service s;

	if (agent_owner_has(o, k))
		return 0;
	ipvs_service_init(&s);
	s.key = *k;
	if (!ipvs_state_put(o->svcs, &s))
		return -ENOMEM;
	o->dirty = 1;
	return 0;
}

void agent_owner_del(struct agent_owner *o, const struct ipvs_service_key *k)
{
	if (ipvs_state_remove(o->svcs, k) == 0)
		o->dirty = 1;
}

static int write_service(struct ipvs_state_service *ss, void *arg)
{
	char key[IPVS_FMT_MAX];

	fprintf(arg, "service %s\n",
		ipvs_service_key_fmt(&ipvs_state_service_conf(ss)->key, key,
				     sizeof(key)));
	return 0;
}

static void write_addr(const char *key, void *value, void *arg)
{
	(void)value;
	fprintf(arg, "address %s\n", key);
}

int agent_owner_save(struct agent_owner *o)
{
	char *tmp = NULL;
	FILE *f;
	int r = 0;

	if (!o->dirty)
		return 0;
	if (asprintf(&tmp, "%s.tmp", o->path) < 0)
		return -ENOMEM;
	if (!(f = fopen(tmp, "w"))) {
		r = -errno;
		goto out;
	}
	fprintf(f, "# ipvsagent: what this node's agent owns; written before the kernel changes\n");
	if (o->dummy)
		fprintf(f, "dummy %s\n", o->dummy);
	ipvs_state_foreach(o->svcs, write_service, f);
	strmap_foreach(&o->addrs, write_addr, f);
	if (fflush(f) || fsync(fileno(f)))
		r = -errno;
	if (fclose(f) && !r)
		r = -errno;
	if (!r && rename(tmp, o->path))
		r = -errno;
	if (!r)
		o->dirty = 0;
out:
	if (r)
		unlink(tmp);
	free(tmp);
	return r;
}
