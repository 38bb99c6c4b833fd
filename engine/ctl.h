/*
 * ctl.h - the control thread: the socket vnetd talks to, and the table of
 * links by id.
 *
 * The control thread accepts one controller at a time on an AF_UNIX
 * SOCK_SEQPACKET socket (a new connection replaces the old one), decodes
 * each struct eng_req, runs it (on the link's worker through worker_call)
 * and sends one struct eng_reply. When the controller goes away the links
 * keep forwarding; LINK_LIST lets a restarted vnetd find them again.
 */
#ifndef VNET_ENGINE_CTL_H
#define VNET_ENGINE_CTL_H

#include <stdbool.h>
#include <stddef.h>

struct worker;
struct link;

struct ctl {
	const char *path;
	int lfd;		/* listening socket */
	int cfd;		/* the controller, -1 none */
	int sigfd;		/* SIGTERM, SIGINT */
	int epfd;
	struct worker **workers;
	unsigned nworkers;
	struct link **links;	/* sorted by id */
	size_t nlinks, cap;
	bool quit;
};

/* Bind and listen on path, replacing a stale socket file but refusing to
 * take over one an engine still answers on. Returns 0 or -errno. */
int ctl_listen(struct ctl *c, const char *path);
/* Serve until SHUTDOWN or a signal in sigfd. Returns 0 or -errno. */
int ctl_run(struct ctl *c);
/* Remove every link (closing its TAPs), close the sockets, unlink path. */
void ctl_close(struct ctl *c);

#endif
