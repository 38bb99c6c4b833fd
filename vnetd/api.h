/*
 * api.h - the HTTP/1.1 + JSON API of vnetd (docs/api.md), served by
 * libmicrohttpd in the daemon's own event loop (no threads) on a Unix socket.
 */
#ifndef VNETD_API_H
#define VNETD_API_H

#include <jansson.h>

#include "vnetd.h"

struct api *api_new(struct vnetd *d, const char *socket_path, struct vnet_err *err);
/* Answer every waiting connection, stop serving, free. NULL ok. */
void api_free(struct api *a);
/* The fd to watch for readability (MHD's epoll fd). */
int api_fd(const struct api *a);
/* Serve what is ready; returns ms until MHD wants to run again, or -1. */
int api_run(struct api *a);
/* An error answer: *out = {"error": message}; returns status. */
int api_failf(json_t **out, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A request body must be a JSON object with only the keys in known (NULL
 * terminated); 0, or 400 with *out set. */
int api_check_keys(const json_t *o, const char *const *known, json_t **out);

#endif
