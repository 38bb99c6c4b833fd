/*
 * exec.c - `vnet exec NODE -- CMD [ARGS...]`: run a command inside a
 * router or host.
 *
 * The node's init pid and cgroup files come from GET /v1/nodes/NODE. Then,
 * with libcurl gone so that the process is single-threaded: open the
 * namespace files /proc/PID/ns/{ipc,uts,net,pid,mnt,cgroup} of the init,
 * join its pid namespace (which only affects children) and fork. The child
 * writes its pid into each of the node's cgroup.procs files (so the node's
 * CPU and memory limits apply), enters the other namespaces -- mount last,
 * since the paths before it are the host's -- chdir("/")s and execvp()s
 * CMD with our environment. vnet itself stays in the host's namespaces and
 * cgroup, waits, passes on SIGINT, SIGTERM, SIGHUP and SIGQUIT that were
 * sent to it (not those the terminal already sent to the whole process
 * group), and exits with CMD's status, 128+N when CMD died of signal N.
 */
#include "cli.h"
#include "args.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const struct {
	const char *name;
	int type;
} exec_ns[] = {
	{ "ipc", CLONE_NEWIPC },
	{ "uts", CLONE_NEWUTS },
	{ "net", CLONE_NEWNET },
	{ "pid", CLONE_NEWPID },
	{ "cgroup", CLONE_NEWCGROUP },
	{ "mnt", CLONE_NEWNS },		/* last: it changes what paths mean */
};
#define EXEC_NNS (sizeof(exec_ns) / sizeof(exec_ns[0]))

static volatile sig_atomic_t exec_forward;	/* a signal to pass on, or 0 */
static volatile sig_atomic_t exec_child_done;

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (sig == SIGCHLD)
		exec_child_done = 1;
	else if (si->si_code != SI_KERNEL)	/* the tty signals the child too */
		exec_forward = sig;
}

/* Open the namespaces of pid that differ from ours; fds[i] = -1 where the
 * kernel lacks one or we already share it. 0, or -1 with errno. */
static int open_namespaces(pid_t pid, int fds[EXEC_NNS])
{
	char path[64];
	struct stat theirs, ours;
	size_t i;

	for (i = 0; i < EXEC_NNS; i++) {
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, exec_ns[i].name);
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0) {
			int err = errno;

			snprintf(path, sizeof(path), "/proc/%d", (int)pid);
			if (err == ENOENT && access(path, F_OK) == 0)
				continue;	/* this kernel has no such namespace */
			errno = err;
			return -1;
		}
		snprintf(path, sizeof(path), "/proc/self/ns/%s", exec_ns[i].name);
		if (fstat(fds[i], &theirs) == 0 && stat(path, &ours) == 0 &&
		    theirs.st_dev == ours.st_dev && theirs.st_ino == ours.st_ino) {
			close(fds[i]);
			fds[i] = -1;
		}
	}
	return 0;
}

static void close_namespaces(int fds[EXEC_NNS])
{
	size_t i;

	for (i = 0; i < EXEC_NNS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* In the child: our pid into each cgroup.procs (missing ones skipped). */
static int join_cgroups(json_t *procs, const char *label)
{
	char pid[32];
	json_t *p;
	size_t i;

	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	json_array_foreach(procs, i, p) {
		const char *path = json_string_value(p);
		int fd;

		if (!path)
			continue;
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT)
			continue;
		if (fd < 0 || write(fd, pid, strlen(pid)) < 0) {
			fprintf(stderr, "vnet exec: cannot join the cgroup of %s (%s): %s\n",
				label, path, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		close(fd);
	}
	return 0;
}

/* The child: cgroups, namespaces, then CMD. Never returns. */
static void exec_child(int fds[EXEC_NNS], json_t *procs, const char *label, char **cmd,
		       const sigset_t *mask)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	size_t i;

	sigaction(SIGINT, &dfl, NULL);
	sigaction(SIGTERM, &dfl, NULL);
	sigaction(SIGHUP, &dfl, NULL);
	sigaction(SIGQUIT, &dfl, NULL);
	sigaction(SIGCHLD, &dfl, NULL);
	if (join_cgroups(procs, label) < 0)
		_exit(CLI_EXIT_FAIL);
	for (i = 0; i < EXEC_NNS; i++) {
		if (fds[i] < 0 || exec_ns[i].type == CLONE_NEWPID)
			continue;
		if (setns(fds[i], exec_ns[i].type) < 0) {
			fprintf(stderr, "vnet exec: cannot enter the %s namespace of %s: %s\n",
				exec_ns[i].name, label, strerror(errno));
			_exit(CLI_EXIT_FAIL);
		}
	}
	if (chdir("/") < 0) {
		fprintf(stderr, "vnet exec: chdir / in %s: %s\n", label, strerror(errno));
		_exit(CLI_EXIT_FAIL);
	}
	sigprocmask(SIG_SETMASK, mask, NULL);
	execvp(cmd[0], cmd);
	if (errno == ENOENT) {
		fprintf(stderr, "vnet exec: %s: not found\n", cmd[0]);
		_exit(127);
	}
	fprintf(stderr, "vnet exec: %s: %s\n", cmd[0], strerror(errno));
	_exit(126);
}

/* Fork CMD into the node and wait for it; returns vnet's exit status. */
static int exec_run(struct cli *cli, int fds[EXEC_NNS], json_t *procs, const char *label, char **cmd)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD };
	struct sigaction sa = { .sa_sigaction = on_signal, .sa_flags = SA_SIGINFO };
	sigset_t block, old, wait_mask;
	int st, own_pidns = -1;
	pid_t child;
	size_t i;

	for (i = 0; i < EXEC_NNS; i++) {
		if (exec_ns[i].type != CLONE_NEWPID || fds[i] < 0)
			continue;
		own_pidns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
		if (own_pidns < 0 || setns(fds[i], CLONE_NEWPID) < 0) {
			int err = errno;

			if (own_pidns >= 0)
				close(own_pidns);
			return cli_fail(cli, "cannot enter the pid namespace of %s: %s%s", label,
					strerror(err), err == EPERM ? " (vnet exec needs root)" : "");
		}
	}
	sigemptyset(&block);
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		sigaddset(&block, sigs[i]);
		sigaction(sigs[i], &sa, NULL);
	}
	sigprocmask(SIG_BLOCK, &block, &old);
	wait_mask = old;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigdelset(&wait_mask, sigs[i]);

	fflush(stdout);
	fflush(stderr);
	child = fork();
	if (child < 0) {
		int err = errno;

		sigprocmask(SIG_SETMASK, &old, NULL);
		if (own_pidns >= 0)
			close(own_pidns);
		return cli_fail(cli, "cannot start a process in %s: %s%s", label, strerror(err),
				err == ENOMEM ? " (is its init still running?)" : "");
	}
	if (child == 0)
		exec_child(fds, procs, label, cmd, &old);
	/* Our own later children and threads (sanitizers make some at exit)
	 * belong in our pid namespace again. */
	if (own_pidns >= 0) {
		if (setns(own_pidns, CLONE_NEWPID) < 0)
			fprintf(stderr, "vnet exec: cannot return to our pid namespace: %s\n",
				strerror(errno));
		close(own_pidns);
	}

	for (;;) {
		pid_t w = waitpid(child, &st, WNOHANG);

		if (w == child)
			break;
		if (w < 0 && errno != EINTR) {
			sigprocmask(SIG_SETMASK, &old, NULL);
			return cli_fail(cli, "waitpid: %s", strerror(errno));
		}
		if (exec_forward) {
			kill(child, exec_forward);
			exec_forward = 0;
			continue;
		}
		if (w == 0 && !exec_child_done)
			sigsuspend(&wait_mask);
		exec_child_done = 0;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

int cmd_exec(struct cli *cli, int argc, char **argv)
{
	char path[512], label[128];
	int fds[EXEC_NNS], rc, i = 1;
	const char *state, *net, *name;
	json_t *node;
	json_int_t pid;

	if (argc < 1 || argv[0][0] == '-')
		return cli_expect_args(cli, argc > 1 ? 1 : argc, argv, 1);
	if ((rc = cli_ref_path(cli, ARGS_NODE, argv[0], "/v1/nodes", NULL, path, sizeof(path))))
		return rc;
	if (i < argc && strcmp(argv[i], "--") == 0)
		i++;
	if (i >= argc)
		return cli_usage_error(cli, "missing CMD after '%s'", argv[0]);
	if (client_call(cli, "GET", path, NULL, &node) < 0)
		return CLI_EXIT_FAIL;
	/* From here on no threads: setns(CLONE_NEWNS) refuses them. */
	client_close(cli);

	net = jstr(node, "network");
	name = jstr(node, "name");
	snprintf(label, sizeof(label), "%s%s%s", net && name ? net : "", net && name ? "/" : "",
		 name ? name : argv[0]);
	state = jstr(node, "state");
	pid = json_integer_value(json_object_get(node, "pid"));
	if ((state && strcmp(state, "running") != 0) || pid <= 0) {
		rc = cli_fail(cli, "%s is %s", label, state && *state ? state : "not running");
		json_decref(node);
		return rc;
	}
	if (open_namespaces((pid_t)pid, fds) < 0) {
		int err = errno;

		json_decref(node);
		if (err == ENOENT)
			return cli_fail(cli, "%s is stopped (its init, pid %" JSON_INTEGER_FORMAT
					", is gone)", label, pid);
		return cli_fail(cli, "cannot open the namespaces of %s (pid %" JSON_INTEGER_FORMAT
				"): %s%s", label, pid, strerror(err),
				err == EACCES || err == EPERM ? " (vnet exec needs root)" : "");
	}
	rc = exec_run(cli, fds, json_object_get(node, "cgroup_procs"), label, argv + i);
	close_namespaces(fds);
	json_decref(node);
	return rc;
}
