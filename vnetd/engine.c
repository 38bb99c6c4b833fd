/*
 * engine.c - supervision of vnet-engine and the client side of its control
 * protocol (see engine.h). The engine runs as a child of vnetd in its own
 * session, so it keeps forwarding if vnetd is killed; vnetd re-creates it
 * from the state it holds if the engine dies. Every request is built here,
 * by the engine client's typed calls (lib/engine_client.h), one per
 * request; no file of vnetd fills a struct eng_req.
 */
#include "engine.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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
	if ((rc = engc_hello(e->fd, NULL, NULL)) < 0) {
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
	int fd = engc_connect(e->sock), rc;
	int32_t pid = 0;
	uint32_t nlinks = 0;

	if (fd < 0)
		return -1;
	if ((rc = engc_hello(fd, &pid, &nlinks)) < 0 || pid <= 0) {
		struct ucred cred;
		socklen_t len = sizeof(cred);

		/* An engine of another protocol version (an upgrade) cannot be
		 * driven: end it, and its links are made anew. */
		if ((rc == -EPROTO || rc == -EPROTONOSUPPORT) &&
		    !getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) && cred.pid > 1) {
			log_warn("the running vnet-engine (pid %d) speaks another protocol "
				 "version: replacing it; its links are made anew", (int)cred.pid);
			kill(cred.pid, SIGKILL);
			for (int i = 0; i < 200 && kill(cred.pid, 0) == 0; i++)
				usleep(10000);
			unlink(e->sock);
		}
		close(fd);
		return -1;
	}
	e->fd = fd;
	e->pid = pid;
	e->child = 0;
	d->engine_adopted = 1;
	watch_pid(d, e->pid);
	log_info("engine adopted: pid %d, %u links", e->pid, nlinks);
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
		engc_shutdown(e->fd);
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

static int efd(const struct engine *e)
{
	return e ? e->fd : -1;
}

int engine_link_add(struct engine *e, uint64_t id, const char *name,
		    const struct link_params p[2], int up)
{
	return engc_link_add(efd(e), id, name, p, up);
}

int engine_link_del(struct engine *e, uint64_t id)
{
	return engc_link_del(efd(e), id);
}

int engine_port_attach(struct engine *e, uint64_t id, int side, const struct node_port *port,
		       uint32_t flags)
{
	struct eng_port desc = { .kind = (uint8_t)port->kind, .flags = flags };

	return engc_port_attach(efd(e), id, side, &desc, port->fd);
}

int engine_port_get(struct engine *e, uint64_t id, int side, int *fd)
{
	return engc_port_get(efd(e), id, side, fd);
}

int engine_check(struct vnetd *d, int timeout_ms)
{
	struct engine *e = d->engine;
	int64_t t0 = now_ms();
	int rc;

	if (!e || e->fd < 0 || e->pid <= 0)
		return 0;
	if ((rc = engc_ping(e->fd, timeout_ms)) == 0)
		return 0;
	event_add(d, NULL, NULL, "vnet-engine (pid %d) did not answer in %lld ms (%s): "
		  "killing it", (int)e->pid, (long long)(now_ms() - t0), strerror(-rc));
	kill(e->pid, SIGKILL);
	return -1;
}

int engine_port_detach(struct engine *e, uint64_t id, int side)
{
	return engc_port_detach(efd(e), id, side);
}

int engine_link_set(struct engine *e, uint64_t id, int dirmask, uint32_t mask,
		    const struct link_params p[2])
{
	return engc_link_set(efd(e), id, (uint8_t)dirmask, mask, p);
}

int engine_link_state(struct engine *e, uint64_t id, int up)
{
	return engc_link_state(efd(e), id, up);
}

int engine_link_stats(struct engine *e, uint64_t id, struct engc_stats *st)
{
	return engc_link_stats(efd(e), id, st);
}

int engine_link_list(struct engine *e, uint64_t **ids, size_t *n)
{
	*ids = NULL;
	*n = 0;
	return engc_link_list(efd(e), ids, n);
}

int engine_link_trace(struct engine *e, uint64_t id, int dirmask, const uint32_t *ms, size_t n)
{
	return engc_link_trace(efd(e), id, (uint8_t)dirmask, ms, n);
}

int engine_capture_start(struct engine *e, uint64_t id, int dirmask, uint32_t count,
			 const char *label, int pipefd, struct engc_stats *st)
{
	return engc_capture_start(efd(e), id, (uint8_t)dirmask, count, label, pipefd, st);
}

int engine_capture_stop(struct engine *e, uint64_t id, struct engc_stats *st)
{
	return engc_capture_stop(efd(e), id, st);
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
