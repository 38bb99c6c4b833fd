/*
 * cmd_capture.c - `vnet capture LINK [-w FILE] [-c COUNT] [--dir A>B]`: the
 * frames a link delivers, as pcapng, into FILE or to stdout (for
 * `| tshark -r -`), until COUNT frames, Ctrl-C, or the link goes away.
 *
 * vnetd streams the capture as the body of GET /v1/links/LINK/capture
 * (docs/api.md); this file copies that body out as it comes, with its own
 * libcurl handle (client.c answers whole JSON bodies). It counts the
 * Enhanced Packet Blocks going through, for the closing "N frames" line,
 * which goes to stderr when the capture itself goes to stdout.
 */
#include "cli.h"
#include "args.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CAPTURE_CONNECT_TIMEOUT_S 5
#define PCAPNG_EPB 6u

static volatile sig_atomic_t capture_stop;

static void on_signal(int sig)
{
	(void)sig;
	capture_stop = 1;
}

struct capture_out {
	FILE *f;
	long code;		/* HTTP status, once known */
	CURL *curl;
	struct sbuf err;	/* body of an error answer */
	int write_failed;	/* errno of a failed write, 0 none */
	/* the stream from the last whole pcapng block on: HTTP chunks end
	 * anywhere, and a capture ended by Ctrl-C must leave whole blocks */
	struct sbuf pend;
	uint64_t frames;	/* EPBs written */
};

/* Write the whole pcapng blocks at the head of o->pend and keep the rest.
 * A length that is no block length (the stream is not pcapng) writes
 * everything as it came. 0, or -1 with o->write_failed set. */
static int write_blocks(struct capture_out *o)
{
	size_t off = 0, n = o->pend.len;

	while (n - off >= 8) {
		uint32_t type, len;

		memcpy(&type, o->pend.s + off, 4);
		memcpy(&len, o->pend.s + off + 4, 4);
		if (len < 12 || len % 4) {
			off = n;
			break;
		}
		if (n - off < len)
			break;
		o->frames += type == PCAPNG_EPB;
		off += len;
	}
	if (off && (fwrite(o->pend.s, 1, off, o->f) != off || fflush(o->f) != 0)) {
		o->write_failed = errno ? errno : EIO;
		return -1;
	}
	memmove(o->pend.s, o->pend.s + off, n - off);
	o->pend.len = n - off;
	o->pend.s[o->pend.len] = '\0';
	return 0;
}

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
	struct capture_out *o = arg;
	size_t len = size * n;

	if (!o->code)
		curl_easy_getinfo(o->curl, CURLINFO_RESPONSE_CODE, &o->code);
	if (o->code != 200) {
		if (o->err.len < 4096)
			sbuf_add(&o->err, p, len);
		return len;
	}
	sbuf_add(&o->pend, p, len);
	return write_blocks(o) ? 0 : len;
}

static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
		       curl_off_t un)
{
	(void)arg;
	(void)dt;
	(void)dn;
	(void)ut;
	(void)un;
	return capture_stop;	/* non-zero ends the transfer */
}

struct capture_opts {
	const char *link, *file, *dir;
	unsigned long count;
};

static int parse_opts(struct cli *cli, int argc, char **argv, struct capture_opts *o)
{
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		char opt = 0;

		if (!strcmp(a, "-w") || !strcmp(a, "--write") || !strcmp(a, "-c") ||
		    !strcmp(a, "--count") || !strcmp(a, "--dir")) {
			if (i + 1 == argc)
				return cli_usage_error(cli, "%s needs a value", a);
			v = argv[++i];
			opt = a[1] == '-' ? a[2] : a[1];
		} else if (!strncmp(a, "--write=", 8) || !strncmp(a, "--count=", 8)) {
			v = a + 8;
			opt = a[2];
		} else if (!strncmp(a, "--dir=", 6) || !strncmp(a, "dir=", 4)) {
			v = strchr(a, '=') + 1;
			opt = 'd';
		} else if ((a[0] == '-' && (a[1] == 'w' || a[1] == 'c')) && a[2]) {
			v = a + 2;
			opt = a[1];
		} else if (a[0] == '-' && a[1]) {
			return cli_usage_error(cli, "unknown option '%s'", a);
		} else if (!o->link) {
			o->link = a;
			continue;
		} else {
			return cli_usage_error(cli, "unexpected argument '%s'", a);
		}
		switch (opt) {
		case 'w':
			o->file = v;
			break;
		case 'c':
			if (args_count_parse(v, UINT32_MAX, &o->count) < 0)
				return cli_usage_error(cli, "-c needs a number of frames (1 to %u), "
						       "not '%s'", UINT32_MAX, v);
			break;
		default:
			if (!strchr(v, '>'))
				return cli_usage_error(cli, "--dir needs A>B (the ends of the link; "
						       "quote it: '>' is a shell redirection)");
			o->dir = v;
		}
	}
	if (!o->link)
		return cli_usage_error(cli, "missing LINK");
	return 0;
}

static void summary_text(json_t *s, const char *ctx)
{
	(void)ctx;
	printf("%lld frames captured from %s into %s\n",
	       (long long)json_integer_value(json_object_get(s, "frames")), jstr(s, "link"),
	       jstr(s, "file"));
}

int cmd_capture(struct cli *cli, int argc, char **argv)
{
	struct capture_opts opt = { 0 };
	struct capture_out out = { 0 };
	struct sigaction sa = { .sa_handler = on_signal }, old_int, old_term;
	struct sbuf url = { 0 };
	char path[512], errbuf[CURL_ERROR_SIZE] = "";
	const char *name;
	json_t *link;
	CURLcode rc;
	int ret = CLI_EXIT_FAIL, to_stdout;

	if ((ret = parse_opts(cli, argc, argv, &opt)))
		return ret;
	ret = CLI_EXIT_FAIL;
	to_stdout = !opt.file || !strcmp(opt.file, "-");
	if (to_stdout && isatty(STDOUT_FILENO))
		return cli_usage_error(cli, "not writing pcapng to a terminal: give -w FILE, or "
				       "pipe it (vnet capture LINK | tshark -r -)");
	if ((ret = cli_ref_path(cli, ARGS_LINK, opt.link, "/v1/links", NULL, path,
				sizeof(path))))
		return ret;
	/* Resolve the link first: a clear error for a wrong name, and the
	 * daemon started if none runs, as for every command. */
	if (client_call(cli, "GET", path, NULL, &link) < 0)
		return CLI_EXIT_FAIL;
	name = jstr(link, "name") ? jstr(link, "name") : opt.link;
	sbuf_printf(&url, "http://localhost%s/capture?count=%lu", path, opt.count);
	if (opt.dir) {
		char *esc = curl_easy_escape(NULL, opt.dir, 0);

		sbuf_printf(&url, "&dir=%s", esc ? esc : "");
		curl_free(esc);
	}

	if (to_stdout) {
		out.f = stdout;
	} else {
		int fd = open(opt.file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		if (fd < 0 || !(out.f = fdopen(fd, "w"))) {
			ret = cli_fail(cli, "cannot write %s: %s", opt.file, strerror(errno));
			if (fd >= 0)
				close(fd);
			goto out_link;
		}
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    !(out.curl = curl_easy_init())) {
		ret = cli_fail(cli, "cannot initialise libcurl");
		goto out_file;
	}
	signal(SIGPIPE, SIG_IGN);	/* a reader that quits is a write error */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);

	curl_easy_setopt(out.curl, CURLOPT_UNIX_SOCKET_PATH, cli->socket);
	curl_easy_setopt(out.curl, CURLOPT_URL, sbuf_str(&url));
	curl_easy_setopt(out.curl, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(out.curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(out.curl, CURLOPT_CONNECTTIMEOUT, (long)CAPTURE_CONNECT_TIMEOUT_S);
	curl_easy_setopt(out.curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(out.curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(out.curl, CURLOPT_WRITEDATA, &out);
	curl_easy_setopt(out.curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(out.curl, CURLOPT_XFERINFOFUNCTION, on_progress);
	rc = curl_easy_perform(out.curl);
	if (!out.code)
		curl_easy_getinfo(out.curl, CURLINFO_RESPONSE_CODE, &out.code);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);

	if (out.code && out.code != 200) {
		json_t *j = json_loadb(sbuf_str(&out.err), out.err.len, 0, NULL);

		if (jstr(j, "error"))
			ret = cli_fail(cli, "%s", jstr(j, "error"));
		else
			ret = cli_fail(cli, "vnetd answered HTTP %ld", out.code);
		json_decref(j);
	} else if (rc == CURLE_WRITE_ERROR && out.write_failed && out.write_failed != EPIPE) {
		ret = cli_fail(cli, "cannot write %s: %s", to_stdout ? "to stdout" : opt.file,
			       strerror(out.write_failed));
	} else if (rc != CURLE_OK && rc != CURLE_ABORTED_BY_CALLBACK &&
		   rc != CURLE_WRITE_ERROR) {
		ret = cli_fail(cli, "capture of %s ended: %s", name,
			       errbuf[0] ? errbuf : curl_easy_strerror(rc));
	} else {
		/* the end of the stream (count reached, link gone), Ctrl-C, or a
		 * reader that had enough (tshark -c, head) */
		ret = CLI_EXIT_OK;
	}
	if (ret == CLI_EXIT_OK) {
		if (!to_stdout) {
			json_t *s = json_pack("{s:s, s:s, s:I}", "link", name, "file", opt.file,
					      "frames", (json_int_t)out.frames);

			print_result(cli, s, summary_text, NULL);
			json_decref(s);
		} else {
			fprintf(stderr, "%llu frames captured from %s\n",
				(unsigned long long)out.frames, name);
		}
	}
	curl_easy_cleanup(out.curl);
	curl_global_cleanup();
out_file:
	if (!to_stdout && out.f && fclose(out.f) != 0 && ret == CLI_EXIT_OK)
		ret = cli_fail(cli, "cannot write %s: %s", opt.file, strerror(errno));
out_link:
	json_decref(link);
	sbuf_free(&url);
	sbuf_free(&out.err);
	sbuf_free(&out.pend);
	return ret;
}
