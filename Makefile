# ipvsagent - Kubernetes Services on the kernel's IP Virtual Server.
#
#   make            build ./ipvsagent
#   make check      unit tests (plain, ASan, UBSan) and kernel tests under UML
#   make bench      benchmarks against ipvsadm under User-Mode Linux
#   make deps       install the Debian packages the above need (as root)
#
# The file list below is the architecture: one folder per layer.

PREFIX   ?= /usr/local
BUILD    ?= build
CC       ?= cc
CFLAGS   ?= -O2 -g
SANITIZE ?=

PKGS     := libnl-3.0 libnl-genl-3.0 libnl-route-3.0 libcurl libcjson liburing \
	    yaml-0.1 libmicrohttpd
WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	    -Wpointer-arith -Wcast-qual -Wformat=2 -Werror
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# Debian's libev ships no pkg-config file.
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lev -lm
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) $(SANITIZE) -I. $(PKG_CFLAGS) \
	     -D_GNU_SOURCE -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(SANITIZE)

IPVS_SRC    := $(wildcard ipvs/*.c)
NETLINK_SRC := $(wildcard netlink/*.c)
K8S_SRC     := $(wildcard k8s/*.c)
MAIN_SRC    := agent/main.c
AGENT_SRC   := $(filter-out $(MAIN_SRC),$(wildcard agent/*.c))
LIB_SRC     := $(IPVS_SRC) $(NETLINK_SRC) $(K8S_SRC) $(AGENT_SRC)

UNIT_SRC    := $(wildcard test/unit/*.c)
KERNEL_SRC  := $(wildcard test/kernel/*.c)
# test/api: one small program per file, driven by Python tests.
API_PROBES  := $(patsubst %.c,$(BUILD)/%,$(wildcard test/api/*.c))

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))
LIB_OBJ := $(call obj,$(LIB_SRC))

.PHONY: all check unit unit-sanitizers kernel bench deps install clean demo fakeapi

all: ipvsagent

ipvsagent: $(BUILD)/ipvsagent
	cp $< $@

$(BUILD)/ipvsagent: $(call obj,$(MAIN_SRC)) $(LIB_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/test/unit/run: $(call obj,$(UNIT_SRC)) $(LIB_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(shell pkg-config --libs check)

$(BUILD)/test/kernel/run: $(call obj,$(KERNEL_SRC)) $(LIB_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(shell pkg-config --libs check)

$(BUILD)/test/api/%: $(BUILD)/test/api/%.o $(LIB_OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

include test/uml/uml.mk

# --- tests -----------------------------------------------------------------

# Two lanes side by side, one a core: the UML stages (a UML kernel is
# one CPU) and the host's (three unit builds, the Python suites).  Each
# lane's output is printed whole when it ends.
check: deps
	$(MAKE) all
	$(MAKE) -j2 --output-sync=recurse check-uml check-host

.PHONY: check-uml check-host
check-uml:
	$(MAKE) kernel
	$(MAKE) e2e
check-host:
	$(MAKE) unit
	$(MAKE) unit-sanitizers
	$(MAKE) fakeapi
	$(MAKE) api

unit: $(BUILD)/test/unit/run
	$(BUILD)/test/unit/run

# Sanitized builds live in their own trees so objects never mix.
unit-sanitizers:
	$(MAKE) BUILD=build/asan SANITIZE="-fsanitize=address -fno-omit-frame-pointer" unit
	$(MAKE) BUILD=build/ubsan SANITIZE="-fsanitize=undefined -fno-sanitize-recover=all" unit

kernel: $(BUILD)/test/kernel/run ipvsagent $(UML_SHIM)
	$(UML_RUN) -- test/uml/selftest.sh
	$(UML_RUN) --timeout 900 -- test/kernel/run.sh $(BUILD)/test/kernel/run

# End-to-end: the agent, real pods and real traffic, all in one UML boot.
.PHONY: e2e
e2e: ipvsagent $(UML_SHIM)
	$(UML_RUN) --timeout 900 -- test/e2e/run.sh

# The fake API server the Kubernetes client is tested against, checked
# on its own (and against the real kubectl).
fakeapi:
	python3 test/fakeapi/test_fakeapi.py

# The API client (k8s/) against the fake API server, through small probe
# programs.
.PHONY: api
api: $(API_PROBES)
	PROBE_DIR=$(BUILD)/test/api python3 test/api/run.py

demo: deps
	$(MAKE) ipvsagent $(UML_SHIM)
	$(UML_RUN) -- contrib/demo/demo.sh

bench: deps
	$(MAKE) ipvsagent $(UML_SHIM)
	$(UML_RUN) --mem 2G --timeout 1800 -- test/bench/ipvs_bench.sh
	$(UML_RUN) --mem 2G --timeout 1800 -- test/bench/agent_bench.sh
	$(UML_RUN) --mem 2G --timeout 1800 -- test/bench/api_bench.sh

# --- installation ----------------------------------------------------------

# Every Debian package that building, testing and the demo need.
DEB_PKGS := build-essential pkg-config libnl-3-dev libnl-genl-3-dev \
	    libnl-route-3-dev libev-dev libcurl4-openssl-dev libcjson-dev \
	    libyaml-dev libmicrohttpd-dev libnftables-dev liburing-dev check \
	    user-mode-linux ipvsadm iproute2 kmod python3 busybox-static procps
# promtool and a real Prometheus server for test/e2e/e2e_metrics.sh; curl
# for the e2e tests' HTTP requests.
DEB_PKGS += prometheus curl
# kubectl and openssl for test/fakeapi. Any kubectl will do: Debian's
# kubernetes-client would conflict with another package's /usr/bin/kubectl.
DEB_PKGS += openssl $(if $(shell command -v kubectl 2>/dev/null),,kubernetes-client)

deps:
	@missing=$$(for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q '^install ok installed$$' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "deps: installing$$(echo $$missing | sed 's/^/ /')"; \
		if [ "$$(id -u)" != 0 ]; then SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
			--no-install-recommends $$missing; \
	fi

install: ipvsagent
	install -D -m 0755 ipvsagent $(DESTDIR)$(PREFIX)/sbin/ipvsagent

clean:
	rm -rf build ipvsagent $(UML_CLEANFILES)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
