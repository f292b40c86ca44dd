#!/bin/sh
# test/kernel/run.sh - the kernel tests, run inside User-Mode Linux by
# `make kernel` (test/uml/uml-run).  Sets up the node the tests assume: a
# dummy interface whose subnets make real-server addresses routable, then
# runs the Check suite given as $1.
set -eu
[ "${UML_RUN:-}" = 1 ] || { echo "run.sh: only inside UML (make kernel)" >&2; exit 2; }
ip link add d0 type dummy
ip link set d0 up
ip addr add 10.1.0.1/16 dev d0
ip addr add 10.0.0.50/32 dev d0
ip -6 addr add fd00::1/64 dev d0 nodad
# The scale test's real servers are in 10.1.0.0/16 too; its VIPs need no route.
exec "$1"
