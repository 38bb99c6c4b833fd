/*
 * event.c - see event.h.
 */
#include "event.h"

#include <stdarg.h>
#include <stdio.h>

#include "log.h"
#include "store.h"

void event_add(struct vnetd *d, const char *net, const char *node, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (node)
		log_info("%s/%s: %s", net, node, msg);
	else if (net)
		log_info("%s: %s", net, msg);
	else
		log_info("%s", msg);
	if (d->store)
		store_event_add(d->store, net, node, msg);
}
