/*
 * agent/heap.h - heap room made present ahead of a large start.
 *
 * A cold start of 10,000 Services x 10 endpoints touches ~45 MB of new
 * heap, 11,000 pages, each a page fault on first touch: cheap on bare
 * metal (~1 us), dearer under virtualisation, and ~50 us under User-Mode
 * Linux, where the kernel tests, the end-to-end tests and the benchmarks
 * run (over half a second there).  One madvise(MADV_POPULATE_WRITE) over
 * room the start is about to use takes the pages in one call instead.
 * The pages would be touched anyway: this moves the faults, it does not
 * add memory, and the room not used is given back when the start is over.
 */
#ifndef AGENT_HEAP_H
#define AGENT_HEAP_H

#include <stddef.h>

/*
 * Make @len bytes of room at the top of the heap present now, and keep
 * free room from being trimmed until agent_heap_release() (an explicit
 * malloc_trim() still trims it).  Best effort: nothing fails.  Capped at
 * 512 MiB.
 */
void agent_heap_reserve(size_t len);

/* The large start is over: give back the room it did not use.  1 when a
 * reservation was held (the heap was trimmed), else 0. */
int agent_heap_release(void);

#endif
