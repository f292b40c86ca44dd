/*
 * test/unit/suites.h - one Check suite per file of ipvs/; main.c runs them
 * all.
 */
#ifndef TEST_UNIT_SUITES_H
#define TEST_UNIT_SUITES_H

#include <check.h>

Suite *addr_suite(void);
Suite *service_suite(void);
Suite *op_suite(void);
Suite *parse_suite(void);
Suite *table_suite(void);
Suite *state_suite(void);
Suite *diff_suite(void);
Suite *sysctl_suite(void);
Suite *k8s_decode_suite(void);
Suite *k8s_store_suite(void);
Suite *k8s_config_suite(void);
Suite *k8s_watch_suite(void);
Suite *translate_suite(void);
Suite *duration_suite(void);
Suite *strmap_suite(void);
Suite *owner_suite(void);
Suite *options_suite(void);
Suite *options_config_suite(void);
Suite *metrics_suite(void);
Suite *status_suite(void);
Suite *httpd_suite(void);
Suite *programming_suite(void);
Suite *source_file_suite(void);

#endif
