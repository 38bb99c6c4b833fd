/*
 * strv.h - a growing list of strings, the C form of the lists the domain
 * verbs answer with (the changes a live edit made, the networks an up
 * created).
 */
#ifndef VNET_STRV_H
#define VNET_STRV_H

#include <stddef.h>

struct strv {
	char **v;
	size_t n, cap;
};

/* Append a copy of s / a formatted string; 0 or -1 (out of memory). */
int strv_add(struct strv *sv, const char *s);
int strv_addf(struct strv *sv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Free every string and the array; sv is empty afterwards. */
void strv_clear(struct strv *sv);

#endif
