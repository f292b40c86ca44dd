/*
 * test/kernel/kt_main.c - the kernel test runner.  Must run as root on a
 * kernel with IPVS: test/kernel/run.sh starts it under User-Mode Linux.
 */
#include <check.h>
#include <stdlib.h>

#include "kt.h"

int main(void)
{
	SRunner *sr = srunner_create(kt_roundtrip_suite());
	int failed;

	srunner_add_suite(sr, kt_batch_suite());
	srunner_add_suite(sr, kt_misc_suite());
	srunner_add_suite(sr, kt_scale_suite());
	srunner_add_suite(sr, kt_route_suite());
	srunner_add_suite(sr, kt_sync_suite());
	srunner_run_all(sr, CK_VERBOSE);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
