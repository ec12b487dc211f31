/* cli/version.h — what `kvmstub --version` names: the version, and the git commit it was built
 * from. Both are defined in a file the build writes (Makefile: $(BUILD)/gen/version.c) from the
 * Makefile's VERSION and `git describe --always --dirty`; a build outside a git checkout (a
 * release tarball) says so instead of a commit. */
#ifndef KVMSTUB_CLI_VERSION_H
#define KVMSTUB_CLI_VERSION_H

extern const char kvmstub_version[]; /* "0.1.0" */
extern const char kvmstub_commit[];  /* "a946385", "a946385-dirty", or "unknown commit: ..." */

#endif
