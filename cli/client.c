/*
 * client.c - vnet's side of the API: one HTTP/1.1 request at a time to
 * vnetd over its Unix socket, with libcurl (CURLOPT_UNIX_SOCKET_PATH) and
 * JSON bodies (jansson).
 *
 * When nothing answers on the socket (no socket file, or nobody listening)
 * and the command allows it, the client starts a local vnetd -- the vnetd
 * next to this vnet binary, else the one in PATH -- as
 * `vnetd --socket S [--state-dir D] [--prefix P] --daemon`, waits until the
 * socket answers and sends the request again. No string ever goes through
 * a shell.
 *
 * Every failure ends as one line on stderr: "vnet: MESSAGE" with the
 * daemon's {"error": MESSAGE} for 4xx/5xx answers, or a sentence naming the
 * socket when the connection fails.
 */
#include "cli.h"
#include "sys.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CLIENT_CONNECT_TIMEOUT_S 5
#define CLIENT_TIMEOUT_S 600		/* `vnet up` of a big network takes a while */
#define VNETD_START_WAIT_MS 10000	/* for the socket to answer */
#define VNETD_RETURN_WAIT_MS 15000	/* for `vnetd --daemon` to return */

struct client {
	CURL *curl;
	char errbuf[CURL_ERROR_SIZE];
};

static int client_curl_ready;	/* curl_global_init done */

enum req_result { REQ_OK, REQ_NOCONN, REQ_FAIL };

int client_socket_answers(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, r = 0;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		r = -errno;
	close(fd);
	return r;
}

static struct client *client_get(struct cli *cli)
{
	struct client *c;

	if (cli->client)
		return cli->client;
	if (!client_curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			fputs("vnet: cannot initialise libcurl\n", stderr);
			return NULL;
		}
		client_curl_ready = 1;
	}
	c = xrealloc(NULL, sizeof(*c));
	memset(c, 0, sizeof(*c));
	c->curl = curl_easy_init();
	if (!c->curl) {
		fputs("vnet: cannot initialise libcurl\n", stderr);
		free(c);
		return NULL;
	}
	cli->client = c;
	return c;
}

void client_close(struct cli *cli)
{
	if (cli->client) {
		curl_easy_cleanup(cli->client->curl);
		free(cli->client);
		cli->client = NULL;
	}
	if (client_curl_ready) {
		curl_global_cleanup();
		client_curl_ready = 0;
	}
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	sbuf_add(arg, p, size * n);
	return size * n;
}

/*
 * Progress of a long request (vnetd/progress.c): on a terminal the request
 * asks for it, and every interim "102 Processing" response carries a
 * Vnet-Progress header with {"done", "total", "what"}, shown on one line of
 * stderr that is rewritten in place and cleared when the answer comes.
 */
struct progress_line {
	int shown;
};

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	static const char key[] = "vnet-progress:";
	struct progress_line *pl = arg;
	size_t len = size * n;
	json_t *j;

	if (len <= sizeof(key) || strncasecmp(p, key, sizeof(key) - 1))
		return len;
	j = json_loadb(p + sizeof(key) - 1, len - (sizeof(key) - 1), 0, NULL);
	if (json_is_object(j)) {
		fprintf(stderr, "\r\033[K[%lld/%lld] %s",
			(long long)json_integer_value(json_object_get(j, "done")),
			(long long)json_integer_value(json_object_get(j, "total")),
			json_string_value(json_object_get(j, "what")) ?: "");
		fflush(stderr);
		pl->shown = 1;
	}
	json_decref(j);
	return len;
}

/* One request. REQ_NOCONN when nothing listens on the socket (*oserr says
 * why); REQ_FAIL after printing any other transport error. */
static enum req_result request(struct cli *cli, const char *method, const char *path,
			       const char *body, long *code, struct sbuf *out, int *oserr)
{
	struct client *c = client_get(cli);
	struct curl_slist *hdr = NULL;
	struct sbuf url = { 0 };
	struct progress_line pl = { 0 };
	enum req_result r = REQ_FAIL;
	CURLcode rc;
	long err = 0;

	if (!c)
		return REQ_FAIL;
	sbuf_reset(out);
	sbuf_printf(&url, "http://localhost%s", path);
	hdr = curl_slist_append(hdr, "Accept: application/json");
	hdr = curl_slist_append(hdr, "Expect:");
	if (body)
		hdr = curl_slist_append(hdr, "Content-Type: application/json");
	if (isatty(STDERR_FILENO))
		hdr = curl_slist_append(hdr, "Vnet-Progress: 1");

	curl_easy_reset(c->curl);
	c->errbuf[0] = '\0';
	curl_easy_setopt(c->curl, CURLOPT_UNIX_SOCKET_PATH, cli->socket);
	curl_easy_setopt(c->curl, CURLOPT_URL, sbuf_str(&url));
	curl_easy_setopt(c->curl, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT, (long)CLIENT_CONNECT_TIMEOUT_S);
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT, (long)CLIENT_TIMEOUT_S);
	curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c->curl, CURLOPT_HEADERDATA, &pl);
	if (strcmp(method, "GET") == 0) {
		curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L);
	} else {
		if (strcmp(method, "POST") != 0)
			curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, method);
		if (body || strcmp(method, "DELETE") != 0) {
			curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body ? body : "");
			curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE,
					 (long)(body ? strlen(body) : 0));
		}
	}

	rc = curl_easy_perform(c->curl);
	if (pl.shown)
		fputs("\r\033[K", stderr);
	if (rc == CURLE_COULDNT_CONNECT) {
		curl_easy_getinfo(c->curl, CURLINFO_OS_ERRNO, &err);
		if (err == 0)
			err = -client_socket_answers(cli->socket);
		*oserr = (int)err;
		if (err == ENOENT || err == ECONNREFUSED || err == ENOTDIR) {
			r = REQ_NOCONN;
		} else {
			fprintf(stderr, "vnet: cannot connect to vnetd on %s: %s\n",
				cli->socket, err ? strerror((int)err) : c->errbuf);
		}
	} else if (rc == CURLE_OPERATION_TIMEDOUT) {
		fprintf(stderr, "vnet: vnetd on %s did not answer %s %s in time\n",
			cli->socket, method, path);
	} else if (rc != CURLE_OK) {
		fprintf(stderr, "vnet: request to vnetd on %s failed: %s\n", cli->socket,
			c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc));
	} else {
		curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, code);
		r = REQ_OK;
	}
	curl_slist_free_all(hdr);
	sbuf_free(&url);
	return r;
}

/* The vnetd to start: the one next to this binary, else NULL (use PATH). */
static char *vnetd_path(void)
{
	char self[PATH_MAX], *dir, *path;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return NULL;
	self[n] = '\0';
	dir = dirname(self);
	if (asprintf(&path, "%s/vnetd", dir) < 0)
		return NULL;
	if (access(path, X_OK) == 0)
		return path;
	free(path);
	return NULL;
}

int client_run_vnetd(const struct cli *cli, const char *mode)
{
	char *path = vnetd_path();
	const char *argv[12];
	int n = 0, st, daemon = strcmp(mode, "--daemon") == 0;
	long start = now_ms();
	pid_t pid, w;

	argv[n++] = "vnetd";
	if (!daemon)
		argv[n++] = mode;
	argv[n++] = "--socket";
	argv[n++] = cli->socket;
	if (cli->state_dir) {
		argv[n++] = "--state-dir";
		argv[n++] = cli->state_dir;
	}
	if (cli->prefix) {
		argv[n++] = "--prefix";
		argv[n++] = cli->prefix;
	}
	if (daemon)
		argv[n++] = mode;
	argv[n] = NULL;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "vnet: cannot start vnetd: fork: %s\n", strerror(errno));
		free(path);
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		/* vnetd's output must not mix with ours on stdout (--json). */
		if (null >= 0)
			dup2(null, STDIN_FILENO);
		dup2(STDERR_FILENO, STDOUT_FILENO);
		if (path)
			execv(path, (char *const *)argv);
		else
			execvp("vnetd", (char *const *)argv);
		fprintf(stderr, "vnet: cannot run vnetd (%s): %s\n",
			path ? path : "not next to vnet, searched PATH", strerror(errno));
		_exit(127);
	}
	free(path);
	for (;;) {
		w = waitpid(pid, &st, daemon ? WNOHANG : 0);
		if (w == pid)
			return st;
		if (w < 0 && errno != EINTR) {
			fprintf(stderr, "vnet: waitpid vnetd: %s\n", strerror(errno));
			return -1;
		}
		if (daemon && now_ms() - start > VNETD_RETURN_WAIT_MS) {
			/* It did not detach; it may still serve. */
			return 0;
		}
		if (w == 0)
			sleep_ms(20);
	}
}

static int vnetd_start(struct cli *cli)
{
	int st = client_run_vnetd(cli, "--daemon");
	int ok = st == 0;
	long wait = ok ? VNETD_START_WAIT_MS : 1000;
	long start = now_ms();

	if (st == -1)
		return -1;
	/* Poll even after a failure: another vnet may have started one. */
	for (;;) {
		if (client_socket_answers(cli->socket) == 0) {
			fprintf(stderr, "vnet: started vnetd (socket %s)\n", cli->socket);
			return 0;
		}
		if (now_ms() - start > wait)
			break;
		sleep_ms(50);
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		return -1;	/* the child said why */
	if (!ok && WIFEXITED(st))
		fprintf(stderr, "vnet: vnetd failed to start (exit status %d)\n", WEXITSTATUS(st));
	else if (!ok && WIFSIGNALED(st))
		fprintf(stderr, "vnet: vnetd failed to start (killed by signal %d)\n",
			WTERMSIG(st));
	else
		fprintf(stderr, "vnet: started vnetd, but nothing answers on %s after %ld s\n",
			cli->socket, wait / 1000);
	return -1;
}

/* Print the error of a non-2xx answer. */
static void print_http_error(struct cli *cli, long code, const struct sbuf *body)
{
	json_t *j = json_loadb(sbuf_str(body), body->len, 0, NULL);
	const char *msg = jstr(j, "error");

	if (msg) {
		fprintf(stderr, "vnet: %s\n", msg);
	} else {
		size_t n = strcspn(sbuf_str(body), "\r\n");

		fprintf(stderr, "vnet: vnetd on %s answered HTTP %ld%s%.*s\n", cli->socket,
			code, n ? ": " : "", (int)(n > 200 ? 200 : n), sbuf_str(body));
	}
	json_decref(j);
}

static int call(struct cli *cli, const char *method, const char *path, json_t *body,
		json_t **resp, int may_start, int quiet)
{
	struct sbuf out = { 0 };
	char *text = NULL;
	enum req_result r;
	json_error_t jerr;
	long code = 0;
	int oserr = 0, ret = -1;

	*resp = NULL;
	if (body && !(text = json_dumps(body, JSON_COMPACT))) {
		fputs("vnet: cannot encode the request\n", stderr);
		return -1;
	}
	r = request(cli, method, path, text, &code, &out, &oserr);
	if (r == REQ_NOCONN && may_start) {
		if (vnetd_start(cli) < 0)
			goto out;
		r = request(cli, method, path, text, &code, &out, &oserr);
	}
	if (r == REQ_NOCONN) {
		if (quiet) {
			ret = 1;
			goto out;
		}
		fprintf(stderr, "vnet: no vnetd answers on %s (%s)\n", cli->socket,
			strerror(oserr));
	}
	if (r != REQ_OK)
		goto out;
	if (code < 200 || code > 299) {
		print_http_error(cli, code, &out);
		goto out;
	}
	if (out.len == 0) {
		*resp = json_object();
	} else if (!(*resp = json_loadb(sbuf_str(&out), out.len, JSON_DECODE_ANY, &jerr))) {
		fprintf(stderr, "vnet: bad answer from vnetd to %s %s: %s\n", method, path,
			jerr.text);
		goto out;
	}
	ret = 0;
out:
	free(text);
	sbuf_free(&out);
	return ret;
}

int client_call(struct cli *cli, const char *method, const char *path, json_t *body,
		json_t **resp)
{
	return call(cli, method, path, body, resp, !(cli->cmd->flags & CMD_NO_START), 0);
}

int client_call_quiet(struct cli *cli, const char *method, const char *path, json_t *body,
		      json_t **resp)
{
	return call(cli, method, path, body, resp, 0, 1);
}
