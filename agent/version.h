/* agent/version.h - one place for the version string. */
#ifndef AGENT_VERSION_H
#define AGENT_VERSION_H

#define IPVSAGENT_VERSION "0.1.0"

#endif
