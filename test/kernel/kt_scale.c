/*
 * test/kernel/kt_scale.c - 10,000 services with 10 real servers each are
 * applied in one batch and dumped back exactly, as ipvsadm sees them.
 */
#include <stdio.h>
#include <stdlib.h>

#include "ipvs/parse.h"
#include "kt.h"

#define NSVC 10000
#define NDEST 10

START_TEST(ten_thousand_by_ten)
{
	struct nl_ipvs *nl = kt_open_clean();
	size_t n = NSVC * (NDEST + 1), k = 0;
	struct ipvs_op *ops = calloc(n, sizeof(*ops));
	struct kt_lines theirs, ours;
	char line[IPVS_FMT_MAX];
	struct ipvs_table t;
	int i, j;

	ck_assert_ptr_nonnull(ops);
	for (i = 0; i < NSVC; i++) {
		snprintf(line, sizeof(line), "-A -t 10.2.%d.%d:%d -s rr",
			 i / 250, 1 + i % 250, 80 + i % 3);
		kt_op(&ops[k++], line);
		for (j = 0; j < NDEST; j++) {
			snprintf(line, sizeof(line),
				 "-a -t 10.2.%d.%d:%d -r 10.1.%d.%d:8080 -m -w %d",
				 i / 250, 1 + i % 250, 80 + i % 3,
				 (i * NDEST + j) / 250 % 200, 1 + (i * NDEST + j) % 250,
				 1 + j);
			kt_op(&ops[k++], line);
		}
	}
	ck_assert_int_eq(nl_ipvs_apply(nl, ops, n), 0);
	for (k = 0; k < n; k++)
		ck_assert_int_eq(ops[k].err, 0);

	ipvs_table_init(&t);
	ck_assert_int_eq(nl_ipvs_dump(nl, &t), 0);
	ck_assert_uint_eq(t.nsvcs, NSVC);
	ck_assert_uint_eq(ipvs_table_ndests(&t), NSVC * NDEST);
	ipvs_table_fini(&t);

	kt_dump_lines(nl, &ours);
	kt_capture(&theirs, "ipvsadm -Sn");
	kt_assert_same(&ours, &theirs);
	kt_lines_free(&theirs);
	kt_lines_free(&ours);
	free(ops);
	nl_ipvs_close(nl);
}
END_TEST

Suite *kt_scale_suite(void)
{
	Suite *s = suite_create("kernel-scale");
	TCase *tc = tcase_create("scale");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, ten_thousand_by_ten);
	suite_add_tcase(s, tc);
	return s;
}
