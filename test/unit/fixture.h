/*
 * test/unit/fixture.h - what several suites share: objects built by hand,
 * a deterministic random source, and the lines real ipvsadm printed.
 */
#ifndef TEST_UNIT_FIXTURE_H
#define TEST_UNIT_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "ipvs/op.h"

/* A literal address the test knows is valid (the test aborts if not). */
union ipvs_addr fx_addr(const char *s, int *af);

/* An address service, ipvsadm's defaults otherwise (v6: netmask 128). */
void fx_svc(struct ipvs_service *s, int protocol, const char *addr,
	    uint16_t port, const char *sched);
/* A fwmark service of family @af. */
void fx_svc_fwmark(struct ipvs_service *s, int af, uint32_t mark,
		   const char *sched);
/* Mark @s persistent with @timeout seconds. */
void fx_persist(struct ipvs_service *s, uint32_t timeout);

/* A real server: family from @addr, no thresholds, no tunnel options. */
void fx_dest(struct ipvs_dest *d, const char *addr, uint16_t port,
	     uint32_t fwd, int32_t weight);
void fx_tunnel(struct ipvs_dest *d, uint8_t type, uint16_t port,
	       uint16_t flags);

/* An op of @kind on @s (and @d for the real-server kinds; may be NULL). */
void fx_op(struct ipvs_op *op, enum ipvs_op_kind kind,
	   const struct ipvs_service *s, const struct ipvs_dest *d);

/* splitmix64: the same seed gives the same sequence on every machine. */
uint64_t fx_rand(uint64_t *state);
/* Uniform in [0, n); n > 0. */
uint32_t fx_below(uint64_t *state, uint32_t n);

/*
 * Lines of `ipvsadm -Sn` (ipvsadm 1.31, Linux 6.1), each with a function
 * that builds the same op by hand.
 */
struct fx_truth {
	const char *line;
	void (*build)(struct ipvs_op *op);
};

extern const struct fx_truth fx_truths[];
extern const size_t fx_ntruths;

#endif
