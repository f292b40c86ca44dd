/*
 * test/kernel/kt.h - helpers for the kernel tests.  These run as root
 * inside User-Mode Linux (test/kernel/run.sh), against the real IPVS, and
 * cross-check with the real ipvsadm.
 */
#ifndef TEST_KERNEL_KT_H
#define TEST_KERNEL_KT_H

#include <check.h>
#include <stddef.h>

#include "ipvs/op.h"
#include "ipvs/table.h"
#include "netlink/nl_ipvs.h"

/* Lines of a command's standard output, sorted. */
struct kt_lines {
	char **v;
	size_t n;
};

void kt_run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kt_capture(struct kt_lines *out, const char *cmd);
void kt_lines_free(struct kt_lines *l);

/* Our dump formatted in ipvsadm -Sn notation, sorted. */
void kt_dump_lines(struct nl_ipvs *nl, struct kt_lines *out);

/* Assert both sorted line sets are equal, printing the first difference. */
void kt_assert_same(const struct kt_lines *ours, const struct kt_lines *theirs);

/* Open a handle after flushing the kernel's table. */
struct nl_ipvs *kt_open_clean(void);

/* Parse a rule line into @op (asserting it parses). */
void kt_op(struct ipvs_op *op, const char *line);

Suite *kt_roundtrip_suite(void);
Suite *kt_batch_suite(void);
Suite *kt_misc_suite(void);
Suite *kt_scale_suite(void);
Suite *kt_route_suite(void);
Suite *kt_sync_suite(void);

#endif
