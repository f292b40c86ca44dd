/*
 * agent/metrics_proc.c - the process_* values, read from /proc as
 * client_golang's process collector reads them: /proc/self/stat (CPU
 * time, memory, start time), /proc/stat (boot time), /proc/self/fd and
 * the resource limits.
 *
 * Cost per scrape: three small file reads and a directory listing of our
 * own descriptors (a few dozen; a few hundred with many HTTP clients).
 */
#include "metrics_agent.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* The whole of a small /proc file into @buf; its length or -errno. */
static ssize_t read_small(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return -errno;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	return (ssize_t)n;
}

static double boot_time(void)
{
	char buf[8192], *p;

	if (read_small("/proc/stat", buf, sizeof(buf)) < 0 ||
	    !(p = strstr(buf, "\nbtime ")))
		return 0;
	return strtod(p + 7, NULL);
}

/* /proc/self/stat after the command name (which may hold spaces and
 * parentheses): fields 3.. of proc(5). */
static int self_stat(struct agent_proc_stats *ps)
{
	unsigned long long utime, stime, start, vsize;
	long long rss;
	double tick = (double)sysconf(_SC_CLK_TCK), page = (double)sysconf(_SC_PAGESIZE);
	char buf[2048], *p;

	if (read_small("/proc/self/stat", buf, sizeof(buf)) < 0 ||
	    !(p = strrchr(buf, ')')))
		return -EIO;
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu "
		   "%*d %*d %*d %*d %*d %*d %llu %llu %lld", &utime, &stime,
		   &start, &vsize, &rss) != 5)
		return -EIO;
	ps->cpu_seconds = (double)(utime + stime) / tick;
	ps->virtual_bytes = (double)vsize;
	ps->resident_bytes = (double)rss * page;
	ps->start_time = boot_time() + (double)start / tick;
	return 0;
}

static double open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	double n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static double limit(int resource)
{
	struct rlimit rl;

	/* Unlimited is RLIM_INFINITY as a number (1.8446744073709552e+19), as
	 * client_golang reports it. */
	if (getrlimit(resource, &rl))
		return 0;
	return (double)rl.rlim_cur;
}

int agent_proc_stats_read(struct agent_proc_stats *ps)
{
	memset(ps, 0, sizeof(*ps));
	ps->open_fds = open_fds();
	ps->max_fds = limit(RLIMIT_NOFILE);
	ps->virtual_max_bytes = limit(RLIMIT_AS);
	return self_stat(ps);
}
