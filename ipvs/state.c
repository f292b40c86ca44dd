/*
 * ipvs/state.c - services in an open-addressing hash, each with its real
 * servers in a dense array (plus a hash index of positions once there are
 * more than a few).
 *
 * Both hashes use linear probing, at most half full, with backward-shift
 * deletion: no tombstones, so a table that sees churn for months never
 * degrades and never needs a cleaning pass.
 */
#include "state.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Up to this many real servers a service has no index: scanning 16 keys
 * costs about what hashing one does, and the common 10-endpoint service
 * pays no index memory at all. */
#define DEST_LINEAR 16

/* Real servers per service we can index (positions and slot counts stay
 * in 32 bits); far beyond what the kernel or memory holds. */
#define DEST_MAX (1u << 30)

/* Smallest service hash; it doubles when half full. */
#define SVC_SLOTS_MIN 16

struct ipvs_state_service {
	struct ipvs_service conf;          /* key and configuration */
	uint32_t hash;                     /* folded key hash, cached: probes
					      and growth skip rehashing */
	struct ipvs_stats stats;           /* the kernel's counters */
	struct ipvs_state *owner;          /* whose real-server count to keep */
	struct ipvs_state_service *prev;   /* insertion order, for walks */
	struct ipvs_state_service *next;
	struct ipvs_state_dest *dests;     /* dense: ndests used of cap */
	uint32_t *index;                   /* position + 1 per slot, 0 = empty;
					      NULL while cap <= DEST_LINEAR */
	uint32_t ndests;
	uint32_t cap;
	uint32_t imask;                    /* index slots - 1; 0: no index */
	uint32_t gen;                      /* last load that saw it */
};

struct ipvs_state {
	struct ipvs_state_service **slots; /* NULL or the service at its slot */
	size_t mask;                       /* slots - 1; 0 while slots NULL */
	size_t nsvcs;
	size_t ndests;                     /* over all services */
	struct ipvs_state_service *head;   /* insertion order */
	struct ipvs_state_service *tail;
	uint32_t gen;                      /* ipvs_state_load generation */
};

/*
 * FNV-1a's low bits depend only on the low bits of each input byte, so
 * 10.0.0.1 and 10.0.0.17 would share a home slot in a small table.  A
 * multiply-xorshift mixes the high bits down (the murmur3 finaliser).
 */
static uint32_t hash_fold(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return (uint32_t)h;
}

static uint32_t svc_hash(const struct ipvs_service_key *k)
{
	return hash_fold(ipvs_service_key_hash(k));
}

static uint32_t dest_hash(const struct ipvs_dest *d)
{
	return hash_fold(ipvs_dest_key_hash(d));
}

/* ---- the service hash ---------------------------------------------------- */

/* The slot holding @k, or the empty slot where it would go.  slots != NULL. */
static size_t svc_probe(const struct ipvs_state *s,
			const struct ipvs_service_key *k, uint32_t h)
{
	struct ipvs_state_service *ss;
	size_t i = h & s->mask;

	while ((ss = s->slots[i]) &&
	       (ss->hash != h || ipvs_service_key_cmp(&ss->conf.key, k)))
		i = (i + 1) & s->mask;
	return i;
}

/* Rebuild with @nslots (a power of two) from the insertion list: O(n). */
static int svc_resize(struct ipvs_state *s, size_t nslots)
{
	struct ipvs_state_service **old = s->slots, *ss;

	s->slots = calloc(nslots, sizeof(*s->slots));
	if (!s->slots) {
		s->slots = old;
		return -ENOMEM;
	}
	free(old);
	s->mask = nslots - 1;
	for (ss = s->head; ss; ss = ss->next)
		s->slots[svc_probe(s, &ss->conf.key, ss->hash)] = ss;
	return 0;
}

/* Room for one more service at most half full. */
static int svc_reserve_one(struct ipvs_state *s)
{
	size_t nslots = s->slots ? s->mask + 1 : 0;

	if ((s->nsvcs + 1) * 2 <= nslots)
		return 0;
	return svc_resize(s, nslots ? nslots * 2 : SVC_SLOTS_MIN);
}

/* Is @k's home slot cyclically within (hole, j]?  Then the entry at j may
 * not move back into the hole: it would sit before its home. */
static int probe_between(size_t hole, size_t j, size_t k)
{
	return hole <= j ? (hole < k && k <= j) : (hole < k || k <= j);
}

/* Empty slot @i and pull later entries of the same run back over it. */
static void svc_slot_clear(struct ipvs_state *s, size_t i)
{
	struct ipvs_state_service *ss;
	size_t j = i;

	for (;;) {
		j = (j + 1) & s->mask;
		ss = s->slots[j];
		if (!ss)
			break;
		if (probe_between(i, j, ss->hash & s->mask))
			continue;
		s->slots[i] = ss;
		i = j;
	}
	s->slots[i] = NULL;
}

/* ---- the real servers of one service ------------------------------------- */

/* Index slots for an array of @cap: none while small, else a power of two
 * at least twice @cap, so the index is never more than half full. */
static uint32_t dest_index_slots(uint32_t cap)
{
	uint32_t n = 32;

	if (cap <= DEST_LINEAR)
		return 0;
	while (n < 2 * cap)
		n *= 2;
	return n;
}

/* The index slot holding position @pos of key @d, or the empty slot where
 * @d would go when @pos is UINT32_MAX.  index != NULL. */
static uint32_t dest_index_probe(const struct ipvs_state_service *ss,
				 const struct ipvs_dest *d, uint32_t pos)
{
	uint32_t i = dest_hash(d) & ss->imask, v;

	while ((v = ss->index[i])) {
		if (pos == UINT32_MAX ?
			    !ipvs_dest_key_cmp(&ss->dests[v - 1].conf, d) :
			    v - 1 == pos)
			break;
		i = (i + 1) & ss->imask;
	}
	return i;
}

/* Position of @key in the array, or -1.  Sets *slot to its index slot. */
static long dest_lookup(const struct ipvs_state_service *ss,
			const struct ipvs_dest *key, uint32_t *slot)
{
	uint32_t i;

	if (ss->index) {
		i = dest_index_probe(ss, key, UINT32_MAX);
		*slot = i;
		return ss->index[i] ? (long)ss->index[i] - 1 : -1;
	}
	for (i = 0; i < ss->ndests; i++)
		if (!ipvs_dest_key_cmp(&ss->dests[i].conf, key))
			return i;
	return -1;
}

static void dest_index_fill(struct ipvs_state_service *ss)
{
	uint32_t i;

	for (i = 0; i < ss->ndests; i++)
		ss->index[dest_index_probe(ss, &ss->dests[i].conf,
					   UINT32_MAX)] = i + 1;
}

/*
 * Make the array hold exactly @cap (>= ndests, > 0) and the index fit it.
 * Allocates the new index before touching the array, so a failure leaves
 * everything as it was.  O(ndests) when the index changes size.
 */
static int dests_resize(struct ipvs_state_service *ss, uint32_t cap)
{
	uint32_t nslots = dest_index_slots(cap), *index = NULL;
	int reindex = nslots != (ss->index ? ss->imask + 1 : 0);
	void *p;

	if (reindex && nslots) {
		index = calloc(nslots, sizeof(*index));
		if (!index)
			return -ENOMEM;
	}
	p = realloc(ss->dests, (size_t)cap * sizeof(*ss->dests));
	if (!p) {
		free(index);
		return -ENOMEM;
	}
	ss->dests = p;
	ss->cap = cap;
	if (reindex) {
		free(ss->index);
		ss->index = index;
		ss->imask = nslots ? nslots - 1 : 0;
		if (index)
			dest_index_fill(ss);
	}
	return 0;
}

/* Grow by a quarter (plus two, for the first few): 10 real servers fill
 * exactly 2, 4, 7, 10; doubling would leave 6 of 16 empty at 144 bytes each. */
static int dests_grow(struct ipvs_state_service *ss)
{
	uint64_t cap = (uint64_t)ss->cap + ss->cap / 4 + 2;

	if (cap > DEST_MAX)
		return -ENOMEM;
	return dests_resize(ss, (uint32_t)cap);
}

/* Give back memory after mass removal; failure just keeps the old size. */
static void dests_shrink(struct ipvs_state_service *ss)
{
	if (ss->ndests == 0) {
		free(ss->dests);
		free(ss->index);
		ss->dests = NULL;
		ss->index = NULL;
		ss->cap = ss->imask = 0;
	} else if (ss->cap > DEST_LINEAR && ss->ndests < ss->cap / 4) {
		(void)dests_resize(ss, ss->cap / 2);
	}
}

/* Empty index slot @i, pulling later entries of its run back over it. */
static void dest_index_clear(struct ipvs_state_service *ss, uint32_t i)
{
	uint32_t j = i, v, home;

	for (;;) {
		j = (j + 1) & ss->imask;
		v = ss->index[j];
		if (!v)
			break;
		home = dest_hash(&ss->dests[v - 1].conf) & ss->imask;
		if (probe_between(i, j, home))
			continue;
		ss->index[i] = v;
		i = j;
	}
	ss->index[i] = 0;
}

/* ---- services ------------------------------------------------------------ */

struct ipvs_state *ipvs_state_new(void)
{
	return calloc(1, sizeof(struct ipvs_state));
}

static void svc_free(struct ipvs_state_service *ss)
{
	free(ss->dests);
	free(ss->index);
	free(ss);
}

void ipvs_state_clear(struct ipvs_state *s)
{
	struct ipvs_state_service *ss, *next;

	for (ss = s->head; ss; ss = next) {
		next = ss->next;
		svc_free(ss);
	}
	free(s->slots);
	memset(s, 0, sizeof(*s));
}

void ipvs_state_free(struct ipvs_state *s)
{
	if (!s)
		return;
	ipvs_state_clear(s);
	free(s);
}

size_t ipvs_state_nservices(const struct ipvs_state *s)
{
	return s->nsvcs;
}

size_t ipvs_state_ndests(const struct ipvs_state *s)
{
	return s->ndests;
}

static struct ipvs_state_service *svc_find(const struct ipvs_state *s,
					   const struct ipvs_service_key *k,
					   uint32_t h)
{
	return s->nsvcs ? s->slots[svc_probe(s, k, h)] : NULL;
}

struct ipvs_state_service *ipvs_state_find(const struct ipvs_state *s,
					   const struct ipvs_service_key *k)
{
	return svc_find(s, k, svc_hash(k));
}

static void svc_link(struct ipvs_state *s, struct ipvs_state_service *ss)
{
	ss->prev = s->tail;
	ss->next = NULL;
	if (s->tail)
		s->tail->next = ss;
	else
		s->head = ss;
	s->tail = ss;
}

static void svc_unlink(struct ipvs_state *s, struct ipvs_state_service *ss)
{
	if (ss->prev)
		ss->prev->next = ss->next;
	else
		s->head = ss->next;
	if (ss->next)
		ss->next->prev = ss->prev;
	else
		s->tail = ss->prev;
}

struct ipvs_state_service *ipvs_state_put(struct ipvs_state *s,
					  const struct ipvs_service *conf)
{
	uint32_t h = svc_hash(&conf->key);
	struct ipvs_state_service *ss = svc_find(s, &conf->key, h);

	if (ss) {
		ss->conf = *conf;
		return ss;
	}
	if (svc_reserve_one(s))
		return NULL;
	ss = calloc(1, sizeof(*ss));
	if (!ss)
		return NULL;
	ss->conf = *conf;
	ss->hash = h;
	ss->owner = s;
	ss->gen = s->gen;
	s->slots[svc_probe(s, &conf->key, h)] = ss;
	svc_link(s, ss);
	s->nsvcs++;
	return ss;
}

int ipvs_state_remove(struct ipvs_state *s, const struct ipvs_service_key *k)
{
	struct ipvs_state_service *ss;
	size_t i, nslots;

	if (!s->nsvcs)
		return -ENOENT;
	i = svc_probe(s, k, svc_hash(k));
	ss = s->slots[i];
	if (!ss)
		return -ENOENT;
	svc_slot_clear(s, i);
	svc_unlink(s, ss);
	s->nsvcs--;
	s->ndests -= ss->ndests;
	svc_free(ss);
	/* Shrink at an eighth full, so add/remove at a boundary can't thrash;
	 * failure keeps the bigger table, which works just as well. */
	nslots = s->mask + 1;
	if (nslots > SVC_SLOTS_MIN && s->nsvcs * 8 < nslots)
		(void)svc_resize(s, nslots / 2);
	return 0;
}

const struct ipvs_service *ipvs_state_service_conf(const struct ipvs_state_service *ss)
{
	return &ss->conf;
}

struct ipvs_stats *ipvs_state_service_stats(struct ipvs_state_service *ss)
{
	return &ss->stats;
}

size_t ipvs_state_service_ndests(const struct ipvs_state_service *ss)
{
	return ss->ndests;
}

/* ---- real servers -------------------------------------------------------- */

struct ipvs_state_dest *ipvs_state_dest_find(const struct ipvs_state_service *ss,
					     const struct ipvs_dest *key)
{
	uint32_t slot;
	long pos = dest_lookup(ss, key, &slot);

	return pos < 0 ? NULL : &ss->dests[pos];
}

struct ipvs_state_dest *ipvs_state_dest_put(struct ipvs_state_service *ss,
					    const struct ipvs_dest *conf)
{
	struct ipvs_state_dest *sd = ipvs_state_dest_find(ss, conf);

	if (sd) {
		sd->conf = *conf;
		return sd;
	}
	if (ss->ndests == ss->cap && dests_grow(ss))
		return NULL;
	sd = &ss->dests[ss->ndests];
	memset(sd, 0, sizeof(*sd));
	sd->conf = *conf;
	if (ss->index)
		ss->index[dest_index_probe(ss, conf, UINT32_MAX)] =
			ss->ndests + 1;
	ss->ndests++;
	ss->owner->ndests++;
	return sd;
}

/* Fill the hole at @pos with the last entry, and repoint its index slot. */
static void dest_fill_hole(struct ipvs_state_service *ss, uint32_t pos)
{
	uint32_t last = ss->ndests - 1;

	if (pos == last)
		return;
	if (ss->index)
		ss->index[dest_index_probe(ss, &ss->dests[last].conf, last)] =
			pos + 1;
	ss->dests[pos] = ss->dests[last];
}

int ipvs_state_dest_remove(struct ipvs_state_service *ss,
			   const struct ipvs_dest *key)
{
	uint32_t slot = 0;
	long pos = dest_lookup(ss, key, &slot);

	if (pos < 0)
		return -ENOENT;
	if (ss->index)
		dest_index_clear(ss, slot);
	dest_fill_hole(ss, (uint32_t)pos);
	ss->ndests--;
	ss->owner->ndests--;
	dests_shrink(ss);
	return 0;
}

/* ---- walks --------------------------------------------------------------- */

int ipvs_state_foreach(const struct ipvs_state *s,
		       int (*fn)(struct ipvs_state_service *ss, void *arg),
		       void *arg)
{
	struct ipvs_state_service *ss, *next;
	int r;

	/* next is read first: the callback may remove the service it got. */
	for (ss = s->head; ss; ss = next) {
		next = ss->next;
		r = fn(ss, arg);
		if (r)
			return r;
	}
	return 0;
}

int ipvs_state_dest_foreach(const struct ipvs_state_service *ss,
			    int (*fn)(struct ipvs_state_dest *sd, void *arg),
			    void *arg)
{
	uint32_t i;
	int r;

	for (i = 0; i < ss->ndests; i++) {
		r = fn(&ss->dests[i], arg);
		if (r)
			return r;
	}
	return 0;
}

/* ---- dumps and acknowledgements ------------------------------------------ */

/* Empty the real servers, leaving the array at exactly @cap: a reload of
 * an unchanged service reuses its memory instead of freeing it. */
static int dests_reset(struct ipvs_state_service *ss, size_t cap)
{
	ss->owner->ndests -= ss->ndests;
	ss->ndests = 0;
	if (ss->index)
		memset(ss->index, 0,
		       ((size_t)ss->imask + 1) * sizeof(*ss->index));
	if (cap == ss->cap)
		return 0;
	if (cap == 0) {
		dests_shrink(ss);
		return 0;
	}
	return cap > DEST_MAX ? -ENOMEM : dests_resize(ss, (uint32_t)cap);
}

/* One dumped service: its conf, counters and exactly its real servers. */
static int load_service(struct ipvs_state *s,
			const struct ipvs_table_service *ts)
{
	struct ipvs_state_service *ss = ipvs_state_put(s, &ts->conf);
	struct ipvs_state_dest *sd;
	size_t i;

	if (!ss)
		return -ENOMEM;
	ss->gen = s->gen;
	ss->stats = ts->stats;
	if (dests_reset(ss, ts->ndests))
		return -ENOMEM;
	for (i = 0; i < ts->ndests; i++) {
		sd = ipvs_state_dest_put(ss, &ts->dests[i].conf);
		if (!sd)
			return -ENOMEM;
		sd->conns.active = ts->dests[i].state.activeconns;
		sd->conns.inactive = ts->dests[i].state.inactconns;
		sd->conns.persistent = ts->dests[i].state.persistconns;
	}
	return 0;
}

/*
 * Put every dumped service (a kept key keeps its struct), stamping it with
 * a new generation, then drop the services the dump did not stamp.
 * O(services in the state + services and real servers in the dump).
 */
int ipvs_state_load(struct ipvs_state *s, const struct ipvs_table *t)
{
	size_t i;
	int r;

	ipvs_state_load_begin(s);
	for (i = 0; i < t->nsvcs; i++) {
		r = load_service(s, &t->svcs[i]);
		if (r)
			return r;
	}
	ipvs_state_load_end(s);
	return 0;
}

void ipvs_state_load_begin(struct ipvs_state *s)
{
	s->gen++;
}

int ipvs_state_load_service(struct ipvs_state *s,
			    const struct ipvs_table_service *ts)
{
	return load_service(s, ts);
}

void ipvs_state_load_end(struct ipvs_state *s)
{
	struct ipvs_state_service *ss, *next;

	for (ss = s->head; ss; ss = next) {
		next = ss->next;
		if (ss->gen != s->gen)
			ipvs_state_remove(s, &ss->conf.key);
	}
}

static int apply_add_service(struct ipvs_state *s, const struct ipvs_op *op)
{
	struct ipvs_state_service *ss = ipvs_state_put(s, &op->svc);

	if (!ss)
		return -ENOMEM;
	/* The kernel just created it: nothing cached under its key was true. */
	(void)dests_reset(ss, 0);   /* to 0 frees: can not fail */
	memset(&ss->stats, 0, sizeof(ss->stats));
	return 0;
}

static int apply_dest(struct ipvs_state *s, const struct ipvs_op *op)
{
	struct ipvs_state_service *ss = ipvs_state_find(s, &op->svc.key);

	if (!ss)
		return 0;
	if (op->kind == IPVS_OP_DEL_DEST) {
		(void)ipvs_state_dest_remove(ss, &op->dest);
		return 0;
	}
	return ipvs_state_dest_put(ss, &op->dest) ? 0 : -ENOMEM;
}

int ipvs_state_apply_op(struct ipvs_state *s, const struct ipvs_op *op)
{
	if (op->err)
		return 0;
	switch (op->kind) {
	case IPVS_OP_ADD_SERVICE:
		return apply_add_service(s, op);
	case IPVS_OP_EDIT_SERVICE:
		return ipvs_state_put(s, &op->svc) ? 0 : -ENOMEM;
	case IPVS_OP_DEL_SERVICE:
		(void)ipvs_state_remove(s, &op->svc.key);
		return 0;
	case IPVS_OP_ADD_DEST:
	case IPVS_OP_EDIT_DEST:
	case IPVS_OP_DEL_DEST:
		return apply_dest(s, op);
	}
	return 0;
}
