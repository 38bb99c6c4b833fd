/*
 * engine.c - supervision of vnet-engine and the client side of its control
 * protocol (see engine.h). The engine runs as a child of vnetd in its own
 * session, so it keeps forwarding if vnetd is killed; vnetd re-creates it
 * from the state it holds if the engine dies. Every request is built here,
 * by one typed function each; no other file of vnetd fills a struct eng_req.
 */
#include "engine.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "cgroup.h"
#include "engine_client.h"
#include "event.h"
#include "log.h"
#include "watch.h"

struct engine {
	pid_t pid;
	int child;		/* 0: adopted from an earlier vnetd */
	int fd;
	char sock[256];
	char log[256];
	struct cgroup *cg;
};

pid_t engine_pid(const struct engine *e)
{
	return e ? e->pid : 0;
}

static int spawn(struct engine *e, const char *bin)
{
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		const char *argv[] = { "vnet-engine", "--socket", e->sock, "--log", e->log,
				       "--foreground", NULL };
		int null = open("/dev/null", O_RDWR);

		setsid();
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
		}
		close_range(3, ~0U, 0);
		sigset_t all;
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		execv(bin, (char *const *)argv);
		fprintf(stderr, "vnetd: cannot run %s: %s\n", bin, strerror(errno));
		_exit(127);
	}
	e->pid = pid;
	e->child = 1;
	return 0;
}

static int connect_retry(struct engine *e, int timeout_ms)
{
	struct timespec pause = { 0, 10 * 1000 * 1000 };

	for (int waited = 0; waited < timeout_ms; waited += 10) {
		int fd = engc_connect(e->sock);

		if (fd >= 0)
			return fd;
		if (waitpid(e->pid, NULL, WNOHANG) == e->pid) {
			e->pid = 0;
			return -ECHILD;
		}
		nanosleep(&pause, NULL);
	}
	return -ETIMEDOUT;
}

static int engine_launch(struct vnetd *d, struct engine *e, struct vnet_err *err)
{
	struct eng_req req = { .h.type = ENG_HELLO };
	struct eng_reply rep;
	int rc;

	if ((rc = spawn(e, d->engine_bin)) < 0)
		return vnet_errf(err, "cannot start %s: %s", d->engine_bin, strerror(-rc));
	if (e->cg)
		cgroup_attach(e->cg, e->pid);
	e->fd = connect_retry(e, 5000);
	if (e->fd < 0) {
		vnet_errf(err, "vnet-engine did not answer on %s: %s (see %s)", e->sock,
			  strerror(-e->fd), e->log);
		goto fail;
	}
	if ((rc = engc_call(e->fd, &req, -1, &rep)) < 0) {
		vnet_errf(err, "vnet-engine hello failed: %s", strerror(-rc));
		goto fail;
	}
	log_info("engine started, pid %d", e->pid);
	return 0;
fail:
	if (e->fd >= 0)
		close(e->fd);
	e->fd = -1;
	if (e->pid > 0) {
		kill(e->pid, SIGKILL);
		waitpid(e->pid, NULL, 0);
		e->pid = 0;
	}
	return -1;
}

/* An engine left running by an earlier vnetd answers on our socket: keep
 * it, with every link and frame it carries. */
static int engine_adopt(struct vnetd *d, struct engine *e)
{
	struct eng_req req = { .h.type = ENG_HELLO };
	struct eng_reply rep;
	int fd = engc_connect(e->sock);

	if (fd < 0)
		return -1;
	if (engc_call(fd, &req, -1, &rep) < 0 || rep.pid <= 0) {
		close(fd);
		return -1;
	}
	e->fd = fd;
	e->pid = rep.pid;
	e->child = 0;
	d->engine_adopted = 1;
	watch_pid(d, e->pid);
	log_info("engine adopted: pid %d, %u links", e->pid, rep.count);
	return 0;
}

struct engine *engine_start(struct vnetd *d, struct vnet_err *err)
{
	struct engine *e = calloc(1, sizeof(*e));

	if (!e) {
		vnet_errf(err, "out of memory");
		return NULL;
	}
	e->fd = -1;
	snprintf(e->sock, sizeof(e->sock), "%s/engine.sock", d->run_dir);
	snprintf(e->log, sizeof(e->log), "%s/engine.log", d->state_dir);
	e->cg = cgroup_new(d->prefix, "engine", err);
	if (!e->cg)
		goto fail;
	if (engine_adopt(d, e) == 0)
		return e;
	if (engine_launch(d, e, err))
		goto fail;
	return e;
fail:
	cgroup_free(e->cg);
	free(e);
	return NULL;
}

void engine_stop(struct engine *e)
{
	if (!e)
		return;
	if (e->fd >= 0) {
		struct eng_req req = { .h.type = ENG_SHUTDOWN };
		struct eng_reply rep;

		engc_call(e->fd, &req, -1, &rep);
		close(e->fd);
	}
	if (e->pid > 0) {
		for (int i = 0; i < 200; i++) {
			if (e->child ? waitpid(e->pid, NULL, WNOHANG) == e->pid
				     : kill(e->pid, 0) < 0 && errno == ESRCH) {
				e->pid = 0;
				break;
			}
			usleep(10000);
		}
		if (e->pid > 0) {
			kill(e->pid, SIGKILL);
			if (e->child)
				waitpid(e->pid, NULL, 0);
		}
	}
	cgroup_free(e->cg);
	free(e);
}

static int call(struct engine *e, struct eng_req *req, int fd_to_pass, struct eng_reply *rep)
{
	struct eng_reply scratch;

	if (!e || e->fd < 0)
		return -ENOTCONN;
	if (!rep)
		rep = &scratch;
	memset(rep, 0, sizeof(*rep));
	return engc_call(e->fd, req, fd_to_pass, rep);
}

static void req_init(struct eng_req *r, int type, uint64_t id)
{
	memset(r, 0, sizeof(*r));
	r->h.type = (uint16_t)type;
	r->id = id;
}

int engine_link_add(struct engine *e, uint64_t id, const char *name,
		    const struct link_params p[2], int up)
{
	struct eng_req req;

	req_init(&req, ENG_LINK_ADD, id);
	req.params[0] = p[0];
	req.params[1] = p[1];
	req.up = !!up;
	snprintf(req.name, sizeof(req.name), "%s", name);
	return call(e, &req, -1, NULL);
}

int engine_link_del(struct engine *e, uint64_t id)
{
	struct eng_req req;

	req_init(&req, ENG_LINK_DEL, id);
	return call(e, &req, -1, NULL);
}

int engine_port_attach(struct engine *e, uint64_t id, int side, const struct node_port *port)
{
	struct eng_req req;

	req_init(&req, ENG_PORT_ATTACH, id);
	req.side = (uint8_t)side;
	return call(e, &req, port->fd, NULL);
}

int engine_port_detach(struct engine *e, uint64_t id, int side)
{
	struct eng_req req;

	req_init(&req, ENG_PORT_DETACH, id);
	req.side = (uint8_t)side;
	return call(e, &req, -1, NULL);
}

int engine_link_set(struct engine *e, uint64_t id, int dirmask, uint32_t mask,
		    const struct link_params p[2])
{
	struct eng_req req;

	req_init(&req, ENG_LINK_SET, id);
	req.dirmask = (uint8_t)dirmask;
	req.mask = mask;
	req.params[0] = p[0];
	req.params[1] = p[1];
	return call(e, &req, -1, NULL);
}

int engine_link_state(struct engine *e, uint64_t id, int up)
{
	struct eng_req req;

	req_init(&req, ENG_LINK_STATE, id);
	req.up = !!up;
	return call(e, &req, -1, NULL);
}

int engine_link_stats(struct engine *e, uint64_t id, struct eng_reply *rep)
{
	struct eng_req req;

	req_init(&req, ENG_LINK_STATS, id);
	return call(e, &req, -1, rep);
}

int engine_link_list(struct engine *e, uint64_t off, struct eng_reply *rep)
{
	struct eng_req req;

	req_init(&req, ENG_LINK_LIST, off);
	return call(e, &req, -1, rep);
}

int engine_link_trace(struct engine *e, uint64_t id, int dirmask, int memfd)
{
	struct eng_req req;

	req_init(&req, ENG_LINK_TRACE, id);
	req.dirmask = (uint8_t)dirmask;
	return call(e, &req, memfd, NULL);
}

int engine_capture_start(struct engine *e, uint64_t id, int dirmask, uint32_t count,
			 const char *label, int pipefd, struct eng_reply *rep)
{
	struct eng_req req;

	req_init(&req, ENG_CAPTURE_START, id);
	req.dirmask = (uint8_t)dirmask;
	req.count = count;
	snprintf(req.name, sizeof(req.name), "%s", label);
	return call(e, &req, pipefd, rep);
}

int engine_capture_stop(struct engine *e, uint64_t id, struct eng_reply *rep)
{
	struct eng_req req;

	req_init(&req, ENG_CAPTURE_STOP, id);
	return call(e, &req, -1, rep);
}

int engine_child_exited(struct vnetd *d, pid_t pid, int status)
{
	struct engine *e = d->engine;
	struct vnet_err err;

	if (!e || pid != e->pid)
		return 0;
	e->pid = 0;
	if (e->fd >= 0)
		close(e->fd);
	e->fd = -1;
	if (d->quit)
		return -1;
	if (status == -1)
		event_add(d, NULL, NULL, "vnet-engine exited; restarting it");
	else
		event_add(d, NULL, NULL, "vnet-engine exited (%s %d); restarting it",
			  WIFSIGNALED(status) ? "signal" : "status",
			  WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	if (engine_launch(d, e, &err)) {
		event_add(d, NULL, NULL, "cannot restart vnet-engine: %s", err.msg);
		return -1;
	}
	return 1;
}
