# uml.mk - the User-Mode Linux test harness; included by the top-level Makefile.
#
# Kernel and end-to-end tests run as root inside UML: $(UML_RUN) -- COMMAND.
# See test/uml/uml-run for the options and DESIGN.md for why UML.

UML_SHIM = test/uml/xstate-shim.so
UML_RUN = test/uml/uml-run
UML_CLEANFILES = $(UML_SHIM)

# Not the tree's CFLAGS: this is preloaded into linux.uml, so no sanitizers
# or coverage, just a plain shared object.
$(UML_SHIM): test/uml/xstate-shim.c
	$(CC) -O2 -Wall -Wextra -shared -fPIC -o $@ $< -ldl

.PHONY: uml-selftest
uml-selftest: $(UML_SHIM)
	$(UML_RUN) -- test/uml/selftest.sh
