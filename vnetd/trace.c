/*
 * trace.c - trace-driven links (see trace.h): the strict reader of
 * mahimahi trace files, and the hand-over of a trace to vnet-engine as a
 * sealed memfd of uint32 milliseconds (ENG_LINK_TRACE, made by the engine client), where it replaces
 * the token bucket of the direction (engine/linkmodel.c, model_ts_*).
 *
 * The parsed trace is not kept: the path is, per direction, and the file
 * is read again when the engine link is re-created.
 */
#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "engine.h"
#include "event.h"

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* The parser of trace_load, on an open stream (the fuzz target feeds it
 * memory); path names it in messages. */
static int trace_parse(FILE *f, const char *path, uint32_t **ms, size_t *n,
		       struct vnet_err *err)
{
	uint32_t *v = NULL;
	size_t cnt = 0, cap = 0, lineno = 0, linecap = 0;
	char *line = NULL;
	ssize_t len;
	int rc = -1;

	*ms = NULL;
	*n = 0;
	while ((len = getline(&line, &linecap, f)) >= 0) {
		char *p = line, *end = line + len;
		uint64_t x = 0;

		lineno++;
		if (cnt == TRACE_MAX_LINES) {
			vnet_errf(err, "%s:%zu: more than %u lines: a trace holds at most %u "
				  "delivery opportunities", path, lineno, TRACE_MAX_LINES,
				  TRACE_MAX_LINES);
			goto out;
		}
		if (end > p && end[-1] == '\n')
			end--;
		while (p < end && is_blank(*p))
			p++;
		while (end > p && is_blank(end[-1]))
			end--;
		if (p == end || memchr(p, 0, (size_t)(end - p))) {
			vnet_errf(err, "%s:%zu: expected a time in milliseconds (a whole "
				  "number such as 42), got %s", path, lineno,
				  p == end ? "an empty line" : "a NUL byte");
			goto out;
		}
		for (char *q = p; q < end; q++) {
			if (*q < '0' || *q > '9') {
				*end = 0;
				vnet_errf(err, "%s:%zu: expected a time in milliseconds (a "
					  "whole number such as 42), got '%.40s'", path, lineno, p);
				goto out;
			}
			x = x * 10 + (uint64_t)(*q - '0');
			if (x > UINT32_MAX) {
				vnet_errf(err, "%s:%zu: %.*s ms is too large (at most %u)", path,
					  lineno, (int)(end - p > 40 ? 40 : end - p), p, UINT32_MAX);
				goto out;
			}
		}
		if (cnt && x < v[cnt - 1]) {
			vnet_errf(err, "%s:%zu: %llu ms comes after %u ms on line %zu: times "
				  "must not decrease", path, lineno, (unsigned long long)x,
				  v[cnt - 1], lineno - 1);
			goto out;
		}
		if (cnt == cap) {
			size_t ncap = cap ? cap * 2 : 4096;
			uint32_t *nv = realloc(v, ncap * sizeof(*v));

			if (!nv) {
				vnet_errf(err, "%s: out of memory", path);
				goto out;
			}
			v = nv;
			cap = ncap;
		}
		v[cnt++] = (uint32_t)x;
	}
	if (ferror(f)) {
		vnet_errf(err, "cannot read trace %s: %s", path, strerror(errno));
		goto out;
	}
	if (!cnt) {
		vnet_errf(err, "%s: empty: a trace needs at least one delivery opportunity", path);
		goto out;
	}
	if (v[cnt - 1] == 0) {
		vnet_errf(err, "%s:%zu: the trace ends at 0 ms: it must last longer (it repeats "
			  "after its last time)", path, lineno);
		goto out;
	}
	*ms = v;
	*n = cnt;
	v = NULL;
	rc = 0;
out:
	free(v);
	free(line);
	return rc;
}

int trace_load(const char *path, uint32_t **ms, size_t *n, struct vnet_err *err)
{
	FILE *f = fopen(path, "re");
	int rc;

	*ms = NULL;
	*n = 0;
	if (!f)
		return vnet_errf(err, "cannot read trace %s: %s", path, strerror(errno));
	rc = trace_parse(f, path, ms, n, err);
	fclose(f);
	return rc;
}

static const char *link_ref(const struct vnet_network *n, int i, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", n->spec.name, n->spec.links[i].name);
	return buf;
}

/* Hand ms[0..cnt) (NULL: none) to the engine for the directions of dirmask. */
static int trace_send(struct vnetd *d, struct vnet_network *n, int i, int dirmask,
		      const uint32_t *ms, size_t cnt, struct vnet_err *err)
{
	char ref[128];
	int rc;

	if (!n->links[i].created)
		return 0;	/* replayed when the link is made */
	/* in a sealed memfd: the engine reads what was checked, nothing else */
	rc = engine_link_trace(d->engine, n->links[i].id, dirmask, ms, cnt);
	if (rc == -EOPNOTSUPP)
		return vnet_errf(err, "the running vnet-engine does not know traces (an older "
				 "version): restart it to use trace= on %s",
				 link_ref(n, i, ref, sizeof(ref)));
	if (rc < 0)
		return vnet_errf(err, "cannot set the trace of %s in vnet-engine: %s",
				 link_ref(n, i, ref, sizeof(ref)), strerror(-rc));
	return 0;
}

int trace_change_parse(struct trace_change *tc, const char *value, struct vnet_err *err)
{
	trace_change_free(tc);
	if (!strcmp(value, "none")) {
		tc->set = 1;
		return 0;
	}
	if (value[0] != '/')
		return vnet_errc(err, VNET_ERR_INVALID, "bad trace '%s': expected the absolute "
				 "path of a mahimahi trace file, or none", value);
	if (strlen(value) >= sizeof(tc->path))
		return vnet_errc(err, VNET_ERR_INVALID, "bad trace: path longer than %zu "
				 "characters", sizeof(tc->path) - 1);
	if (trace_load(value, &tc->ms, &tc->n, err))
		return vnet_err_class(err, VNET_ERR_INVALID);
	snprintf(tc->path, sizeof(tc->path), "%s", value);
	tc->set = 1;
	return 0;
}

void trace_change_free(struct trace_change *tc)
{
	free(tc->ms);
	memset(tc, 0, sizeof(*tc));
}

int trace_change_apply(struct vnetd *d, struct vnet_network *n, int link, int dirmask,
		       struct trace_change *tc, struct vnet_err *err)
{
	struct link_rt *lr = &n->links[link];
	int rc;

	if (!tc->set)
		return 0;
	rc = trace_send(d, n, link, dirmask, tc->path[0] ? tc->ms : NULL, tc->n, err);
	if (rc == 0) {
		for (int k = 0; k < 2; k++)
			if (dirmask & (1 << k))
				snprintf(lr->trace[k], sizeof(lr->trace[k]), "%s", tc->path);
		n->dirty = 1;
		if (tc->path[0])
			event_add(d, n->spec.name, NULL, "link %s%s follows trace %s (%zu "
				    "opportunities, repeating every %u ms)", n->spec.links[link].name,
				    dirmask == 3 ? "" : dirmask == 1 ? " forward" : " reverse",
				    tc->path, tc->n, tc->ms[tc->n - 1]);
		else
			event_add(d, n->spec.name, NULL, "link %s%s: trace removed",
				    n->spec.links[link].name,
				    dirmask == 3 ? "" : dirmask == 1 ? " forward" : " reverse");
	}
	trace_change_free(tc);
	return rc;
}

void trace_replay(struct vnetd *d, struct vnet_network *n, int link)
{
	struct link_rt *lr = &n->links[link];
	struct vnet_err err;

	for (int k = 0; k < 2; k++) {
		char path[sizeof(lr->trace[k])];
		int mask = 1 << k;
		uint32_t *ms;
		size_t cnt;

		if (!lr->trace[k][0])
			continue;
		if (k == 0 && !strcmp(lr->trace[0], lr->trace[1]))
			mask = 3;
		else if (k == 1 && !strcmp(lr->trace[0], lr->trace[1]))
			continue;	/* sent with direction 0 */
		snprintf(path, sizeof(path), "%s", lr->trace[k]);
		if (trace_load(path, &ms, &cnt, &err) ||
		    trace_send(d, n, link, mask, ms, cnt, &err)) {
			event_add(d, n->spec.name, NULL, "link %s: trace %s dropped: %s",
				    n->spec.links[link].name, path, err.msg);
			for (int j = 0; j < 2; j++)
				if (mask & (1 << j))
					lr->trace[j][0] = 0;
		}
		free(ms);	/* NULL when trace_load failed */
	}
}

json_t *trace_runtime_json(const struct vnet_network *n, int link)
{
	const struct link_rt *lr = &n->links[link];

	if (!lr->trace[0][0] && !lr->trace[1][0])
		return NULL;
	return json_pack("[s, s]", lr->trace[0], lr->trace[1]);
}

void trace_adopt(struct vnet_network *n, int link, const json_t *rt)
{
	struct link_rt *lr = &n->links[link];

	for (int k = 0; k < 2; k++) {
		const char *p = json_string_value(json_array_get(rt, (size_t)k));

		if (p && strlen(p) < sizeof(lr->trace[k]))
			snprintf(lr->trace[k], sizeof(lr->trace[k]), "%s", p);
	}
}
