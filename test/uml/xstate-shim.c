/*
 * xstate-shim.c - LD_PRELOAD shim for linux.uml on hosts with large FPU state.
 *
 * Why: UML 6.1 saves and restores its processes' FPU registers with
 * PTRACE_GETREGSET/PTRACE_SETREGSET(NT_X86_XSTATE) using a fixed buffer that
 * is smaller than the host's XSAVE area on CPUs with AVX-512 and AMX.  The
 * host kernel accepts a short GETREGSET but rejects any SETREGSET that is not
 * the full size with EFAULT, and UML panics ("ptrace set fp regs failed,
 * errno = 14").  Hiding XSTATE instead makes UML fall back to the legacy FP
 * regset, which corrupts the AVX registers that glibc's string functions use.
 *
 * What: for NT_X86_XSTATE only, GETREGSET reads the full area into a slot kept
 * per traced pid and hands the caller the prefix it asked for; SETREGSET lays
 * the caller's bytes over that kept area and writes it back at full length.
 * Components beyond UML's buffer are thus restored from the last read of the
 * same host process, which is what UML would do if its buffer were big enough.
 *
 * Cost: 1024 slots of 16 KiB = 16 MiB of BSS (untouched pages cost nothing),
 * one extra GETREGSET when a slot was taken over by another pid.  If the
 * host's area does not fit a slot, or UML's buffer is already full size, the
 * call goes to the kernel unchanged, so the shim is harmless elsewhere.
 * Only UML's tracer thread calls ptrace(), so there is no locking.
 *
 * Build: gcc -O2 -shared -fPIC -o xstate-shim.so xstate-shim.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdarg.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/uio.h>

#define SHIM_NT_X86_XSTATE 0x202
#define SHIM_SLOT_SIZE (16 * 1024)
#define SHIM_NSLOTS 1024

struct shim_slot {
	pid_t pid;			/* tracee whose area buf holds, 0 if none */
	size_t len;			/* the kernel's full xstate length */
	unsigned char buf[SHIM_SLOT_SIZE]; /* last full area read from pid */
};

static struct shim_slot shim_slots[SHIM_NSLOTS];
static long (*shim_real_ptrace)(int, pid_t, void *, void *);

/* Read pid's full xstate into its slot; 0 if it fits, -1 to fall back. */
static int shim_slot_fill(struct shim_slot *s, pid_t pid, void *addr)
{
	struct iovec full = { s->buf, SHIM_SLOT_SIZE };

	s->pid = 0;
	if (shim_real_ptrace(PTRACE_GETREGSET, pid, addr, &full) < 0)
		return -1;
	/* The kernel truncates to our length: a full slot may mean "larger". */
	if (full.iov_len >= SHIM_SLOT_SIZE)
		return -1;
	s->pid = pid;
	s->len = full.iov_len;
	return 0;
}

static long shim_xstate(int req, pid_t pid, void *addr, struct iovec *iov)
{
	struct shim_slot *s = &shim_slots[(unsigned int)pid % SHIM_NSLOTS];
	struct iovec full;
	size_t n;

	if ((req == PTRACE_GETREGSET || s->pid != pid) &&
	    shim_slot_fill(s, pid, addr) < 0)
		return shim_real_ptrace(req, pid, addr, iov);

	n = iov->iov_len < s->len ? iov->iov_len : s->len;
	if (req == PTRACE_GETREGSET) {
		memcpy(iov->iov_base, s->buf, n);
		iov->iov_len = n;
		return 0;
	}
	memcpy(s->buf, iov->iov_base, n);
	full.iov_base = s->buf;
	full.iov_len = s->len;
	return shim_real_ptrace(PTRACE_SETREGSET, pid, addr, &full);
}

long ptrace(enum __ptrace_request req, ...)
{
	va_list ap;
	pid_t pid;
	void *addr, *data;

	va_start(ap, req);
	pid = va_arg(ap, pid_t);
	addr = va_arg(ap, void *);
	data = va_arg(ap, void *);
	va_end(ap);

	if (!shim_real_ptrace)
		shim_real_ptrace = (long (*)(int, pid_t, void *, void *))
			dlsym(RTLD_NEXT, "ptrace");
	if ((req == PTRACE_GETREGSET || req == PTRACE_SETREGSET) &&
	    (long)addr == SHIM_NT_X86_XSTATE)
		return shim_xstate(req, pid, addr, data);
	return shim_real_ptrace(req, pid, addr, data);
}
