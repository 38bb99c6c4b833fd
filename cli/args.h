/*
 * args.h - the checks and conversions of command-line arguments that need
 * no daemon: network, node and link references, "prop=value" lists, the
 * networks or file of `vnet down`, line counts, and the percent-encoding of
 * references into API paths.
 *
 * Pure functions: no libcurl, no jansson, no globals, so the unit test
 * (tests/unit/test_cli_args.c) includes args.c directly. Errors are written
 * into a caller's buffer as the tail of a message that the caller prefixes
 * with the command ("vnet link set: " + "'bandwidth' needs a value: ...").
 */
#ifndef VNET_CLI_ARGS_H
#define VNET_CLI_ARGS_H

#include <stddef.h>

#define ARGS_NAME_MAX 31	/* network and node names (VNET_NAME_MAX - 1) */
#define ARGS_LINK_NAME_MAX 63	/* link names (VNET_LINK_NAME_MAX - 1) */
#define ARGS_KEY_MAX 32
#define ARGS_PROPS_MAX 32

/* What a reference names; it decides the form and the messages. */
enum args_ref_kind {
	ARGS_NET,	/* NAME */
	ARGS_NODE,	/* NET/NAME or NAME */
	ARGS_LINK,	/* NET/NAME or NAME */
};

/* Check the form of a reference. 0, or -1 with a message naming s. */
int args_ref_check(const char *s, enum args_ref_kind kind, char *err, size_t errlen);

struct args_prop {
	char key[ARGS_KEY_MAX];
	const char *value;	/* points into the argument, after '=' */
};

/*
 * Parse arguments "key=value". known is a NULL-terminated list of accepted
 * keys, or NULL to accept any well-formed key. When dir is not NULL, one
 * "dir=A>B" argument is accepted and *dir set to "A>B" (else NULL). Returns
 * the number of properties stored in props (at least one), or -1 with err.
 */
int args_props_parse(int argc, char *const *argv, const char *const *known,
		     const char **dir, struct args_prop *props, size_t max,
		     char *err, size_t errlen);

/*
 * The arguments of `vnet down`: NET... or one topology file, given as
 * -f FILE, -fFILE, --file FILE or --file=FILE; not both. Each NET is checked
 * (args_ref_check) and the names are moved to the front of argv in the
 * order given, a name given twice kept once; *nnames is their number and
 * *file the file (else NULL). 0, or -1 with err.
 */
int args_down_parse(int argc, char **argv, const char **file, int *nnames,
		    char *err, size_t errlen);

/* A whole number 1..max in decimal. 0, or -1. */
int args_count_parse(const char *s, unsigned long max, unsigned long *n);

/*
 * Build an API path: base, then "/" and each '/'-separated segment of ref
 * percent-encoded (RFC 3986 unreserved characters kept), then suffix (may be
 * NULL). ("/v1/nodes", "red/r 1", "/logs") -> "/v1/nodes/red/r%201/logs".
 * 0, or -1 when it does not fit.
 */
int args_path(char *buf, size_t n, const char *base, const char *ref, const char *suffix);

#endif
