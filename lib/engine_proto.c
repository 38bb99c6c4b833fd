/*
 * engine_proto.c - the printable names of the engine protocol's enums
 * (engine_proto.h), from the same X-macro lists as the enums, for logs,
 * the test tools and vnetd's JSON.
 */
#include "engine_proto.h"

#include <string.h>

#include "vnet.h"

static const char *const msg_names[] = {
#define X(e) #e,
	ENG_MSG_TYPES(X)
#undef X
};

static const char *const port_kind_names[] = {
#define X(e, s) s,
	ENG_PORT_KINDS(X)
#undef X
};

static const char *const drop_names[] = {
#define X(e, s) s,
	ENG_DROP_CAUSES(X)
#undef X
};

const char *eng_msg_name(unsigned type)
{
	return type < ARRAY_SIZE(msg_names) ? msg_names[type] : "?";
}

const char *eng_port_kind_name(unsigned kind)
{
	return kind < ARRAY_SIZE(port_kind_names) ? port_kind_names[kind] : "?";
}

const char *eng_drop_name(unsigned cause)
{
	return cause < ARRAY_SIZE(drop_names) ? drop_names[cause] : "?";
}

int eng_port_kind_parse(const char *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(port_kind_names); i++)
		if (strcmp(s, port_kind_names[i]) == 0)
			return (int)i;
	return -1;
}
