/*
 * test/unit/main.c - run every unit suite.
 *
 * Check's default fork mode runs each test in its own process, so a crash
 * is reported against its test and the others still run.  CK_FORK=no in
 * the environment runs them in-process, for a debugger.
 */
#include <stdlib.h>

#include "suites.h"

int main(void)
{
	SRunner *sr = srunner_create(addr_suite());
	int failed;

	srunner_add_suite(sr, service_suite());
	srunner_add_suite(sr, op_suite());
	srunner_add_suite(sr, parse_suite());
	srunner_add_suite(sr, table_suite());
	srunner_add_suite(sr, state_suite());
	srunner_add_suite(sr, diff_suite());
	srunner_add_suite(sr, sysctl_suite());
	srunner_add_suite(sr, k8s_decode_suite());
	srunner_add_suite(sr, k8s_store_suite());
	srunner_add_suite(sr, k8s_config_suite());
	srunner_add_suite(sr, k8s_watch_suite());
	srunner_add_suite(sr, translate_suite());
	srunner_add_suite(sr, duration_suite());
	srunner_add_suite(sr, strmap_suite());
	srunner_add_suite(sr, owner_suite());
	srunner_add_suite(sr, options_suite());
	srunner_add_suite(sr, options_config_suite());
	srunner_add_suite(sr, metrics_suite());
	srunner_add_suite(sr, status_suite());
	srunner_add_suite(sr, httpd_suite());
	srunner_add_suite(sr, programming_suite());
	srunner_add_suite(sr, source_file_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
