/*
 * netlink/sysctl.h - kernel parameters under /proc/sys, by their dotted
 * names (net.ipv4.vs.conntrack), as sysctl(8) spells them.
 *
 * What it promises:
 *  - a name maps to a file as sysctl(8) maps it: dots are separators; a
 *    name that contains a slash uses slashes as separators and its dots are
 *    literal (net/ipv4/conf/eth0.100/rp_filter, a VLAN link);
 *  - names that could leave the tree ("..", empty components, a leading
 *    separator) are refused with -EINVAL;
 *  - sysctl_set_int() writes only when the value differs, so an unchanged
 *    setting costs a read and no write (and no needless audit or notifier
 *    work in the kernel);
 *  - failures are a negative errno (-ENOENT: no such parameter, which for
 *    net.ipv4.vs.* means IPVS is not loaded; -EACCES/-EPERM: read-only or
 *    not allowed; -EINVAL: not a single integer, or the kernel refused the
 *    value), and sysctl_last_error() says which parameter and why.
 *
 * The root (/proc/sys) can be moved, for tests.  Not thread-safe: one root
 * and one error buffer per process.
 */
#ifndef NETLINK_SYSCTL_H
#define NETLINK_SYSCTL_H

#define SYSCTL_ROOT_DEFAULT "/proc/sys"

/* Read parameters under @dir instead of /proc/sys; NULL restores it.
 * -ENAMETOOLONG if @dir does not fit. */
int sysctl_set_root(const char *dir);

/* Read @name as one integer. */
int sysctl_get_int(const char *name, int *out);

/* Make @name equal @v: 1 when it was written, 0 when it already was. */
int sysctl_set_int(const char *name, int v);

/* What the last failure was, in words: "sysctl net.ipv4.vs.conntrack:
 * opening /proc/sys/net/ipv4/vs/conntrack: No such file or directory". */
const char *sysctl_last_error(void);

#endif
