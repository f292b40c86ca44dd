/*
 * agent/heap.c - populating heap room in one go (see heap.h for why).
 *
 * glibc has no call for "grow the heap by N, present": the room is one
 * block taken from the heap (mmap() is off for that one malloc, so the
 * block is the heap's top whatever M_MMAP_THRESHOLD says), populated, and
 * freed back into the top chunk, where the next allocations find it - the
 * large ones too: glibc maps a large block of its own only when the top
 * chunk cannot hold it.  The trim threshold is raised meanwhile, or the
 * first free at the top would hand the room back to the kernel.
 */
#include "heap.h"

#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23   /* Linux 5.14 */
#endif

#define HEAP_RESERVE_MAX ((size_t)512 << 20)
/* glibc's defaults, which the agent does not change otherwise. */
#define HEAP_TRIM_DEFAULT (128 * 1024)
#define HEAP_MMAP_MAX_DEFAULT 65536

/* A reservation is held: free room stays. */
static int reserved;

/* The whole pages of [p, p + len), present and writable.  Older kernels
 * refuse the advice: the pages then come as they are touched. */
static void populate(void *p, size_t len)
{
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t start = ((uintptr_t)p + pg - 1) & ~(pg - 1);
	uintptr_t end = ((uintptr_t)p + len) & ~(pg - 1);

	if (end > start)
		(void)madvise((void *)start, end - start, MADV_POPULATE_WRITE);
}

void agent_heap_reserve(size_t len)
{
	void *p;

	if (len > HEAP_RESERVE_MAX)
		len = HEAP_RESERVE_MAX;
	if (len < HEAP_TRIM_DEFAULT)
		return;
	mallopt(M_TRIM_THRESHOLD, (int)(2 * len));
	reserved = 1;
	mallopt(M_MMAP_MAX, 0);
	p = malloc(len);
	mallopt(M_MMAP_MAX, HEAP_MMAP_MAX_DEFAULT);
	if (!p)
		return;
	populate(p, len);
	free(p);
}

int agent_heap_release(void)
{
	if (!reserved)
		return 0;
	reserved = 0;
	mallopt(M_TRIM_THRESHOLD, HEAP_TRIM_DEFAULT);
	malloc_trim(0);
	return 1;
}
