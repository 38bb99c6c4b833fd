/*
 * api.c - the HTTP/1.1 + JSON API (docs/api.md): routing, and the
 * translation of JSON requests into calls of the domain verbs (verbs.h)
 * and of their results and errors back into JSON. Nothing here decides
 * anything about networks: a verb's typed error becomes an HTTP status
 * through one table (err_status).
 *
 * Reading requests are answered at once. Every request that changes
 * something, or that waits for BIRD, runs as a job (job.h): the
 * connection is suspended (libmicrohttpd suspend/resume) until the job
 * ends, and the loop goes on answering others meanwhile. A client that
 * sends `Prefer: respond-async` gets `202 Accepted` and the job at once,
 * and follows it with GET /v1/jobs/ID.
 */
#include "api.h"

#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#include "capture.h"
#include "job.h"
#include "log.h"
#include "net.h"
#include "store.h"
#include "topo.h"
#include "units.h"
#include "verbs.h"
#include "view.h"

#define API_MAX_BODY (16u << 20)
/* Longest wait of GET /v1/jobs/ID?wait=MS. */
#define API_MAX_WAIT_MS 60000

/* The HTTP status of each class of error. */
static const int err_status[VNET_ERR__COUNT] = {
	[VNET_ERR_INTERNAL] = 500,
	[VNET_ERR_INVALID] = 400,
	[VNET_ERR_NOT_FOUND] = 404,
	[VNET_ERR_CONFLICT] = 409,
	[VNET_ERR_EXHAUSTED] = 507,
	[VNET_ERR_UNAVAILABLE] = 503,
};

/* One connection's request: its body as it arrives, and the job it waits
 * for while it is suspended. */
struct conn {
	struct api *a;
	struct MHD_Connection *mhd;
	char *buf;
	size_t len;
	int too_big;
	uint64_t job;		/* the job it waits for, 0 none */
	int poll;		/* GET jobs/ID?wait: answer at its end or deadline */
	int after;		/* poll, >= 0: answer too once done > after */
	int64_t deadline;	/* poll: answer by then anyway */
	int suspended;
	struct conn *next;	/* the api's suspended connections */
};

struct api {
	struct vnetd *d;
	struct MHD_Daemon *mhd;
	int listen_fd;
	struct conn *waiting;
};

struct req {
	struct vnetd *d;
	struct conn *c;
	struct MHD_Connection *conn;
	const char *method;
	char *path;		/* after /v1/, decoded */
	char *seg[8];		/* path split at '/' */
	int nseg;
	json_t *body;		/* NULL when there was none */
};

typedef int (*handler_fn)(struct req *r, json_t **out);

int api_failf(json_t **out, int status, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	*out = json_pack("{s:s}", "error", msg);
	return status;
}

/* A verb's error as an answer. */
static int fail(json_t **out, const struct vnet_err *err)
{
	enum vnet_err_class cls = (unsigned)err->cls < VNET_ERR__COUNT ? err->cls
								      : VNET_ERR_INTERNAL;

	*out = json_pack("{s:s, s:s}", "error", err->msg, "class", vnet_err_class_name(cls));
	return err_status[cls];
}

static const char *query(struct req *r, const char *key)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

static const char *body_str(const json_t *body, const char *key)
{
	return json_string_value(json_object_get(body, key));
}

int api_check_keys(const json_t *o, const char *const *known, json_t **out)
{
	const char *key;
	json_t *v;

	if (!json_is_object(o))
		return api_failf(out, 400, "expected a JSON object as the request body");
	json_object_foreach((json_t *)o, key, v) {
		int ok = 0;

		for (int i = 0; known[i]; i++)
			ok |= !strcmp(known[i], key);
		if (!ok)
			return api_failf(out, 400, "unknown key '%s' in the request body", key);
	}
	return 0;
}

/* Keys as api_check_keys(), every value a string (or null when nullable). */
static int check_strings(const json_t *o, const char *const *known, int nullable, json_t **out)
{
	const char *key;
	json_t *v;
	int rc;

	if ((rc = api_check_keys(o, known, out)))
		return rc;
	json_object_foreach((json_t *)o, key, v)
		if (!json_is_string(v) && !(nullable && json_is_null(v)))
			return api_failf(out, 400, "'%s' must be a string", key);
	return 0;
}

/* ---- calls: a parsed request for a verb, run as a job --------------------- */

enum call_kind {
	CALL_UP, CALL_DOWN, CALL_NET_START, CALL_NET_STOP, CALL_NET_PAUSE,
	CALL_NET_SAVE, CALL_NET_RESTORE, CALL_NET_COPY, CALL_NET_GET,
	CALL_NODE_START, CALL_NODE_STOP, CALL_NODE_PAUSE, CALL_NODE_SET, CALL_NODE_ADD,
	CALL_NODE_DEL, CALL_NODE_SAVE, CALL_NODE_RESTORE, CALL_NODE_COPY, CALL_NODE_GET,
	CALL_LINK_SET, CALL_LINK_STATE, CALL_LINK_ADD, CALL_LINK_DEL,
};

struct call {
	enum call_kind kind;
	char ref[160];			/* the network, node or link named */
	int flag;			/* pause (1) / resume; link up (1) / down */
	char *path, *as, *prefix, *a, *b;
	struct topo *topo;
	struct node_set nset;
	struct link_set lset;
	struct live_node_req node;
	struct live_link_req link;
	struct live_link_req *links;
	struct strv strings;		/* owned copies of the strings above */
};

static void call_free(void *arg)
{
	struct call *c = arg;

	if (!c)
		return;
	topo_free(c->topo);
	free(c->links);
	strv_clear(&c->strings);
	free(c);
}

/* A copy of s owned by c (NULL stays NULL). */
static char *keep(struct call *c, const char *s)
{
	if (!s || strv_add(&c->strings, s))
		return NULL;
	return c->strings.v[c->strings.n - 1];
}

static struct call *call_new(enum call_kind kind, const char *ref)
{
	struct call *c = calloc(1, sizeof(*c));

	if (c) {
		c->kind = kind;
		snprintf(c->ref, sizeof(c->ref), "%s", ref ? ref : "");
	}
	return c;
}

/* Resolve c->ref again after the verb (names are stable while it is locked). */
static int resolved_node(struct vnetd *d, const char *ref, struct vnet_network **n, int *i)
{
	return net_resolve_node(d, ref, n, i, NULL);
}

static void run_call(struct vnetd *d, struct job *j, void *arg)
{
	struct call *c = arg;
	struct vnet_err err = { "", VNET_ERR_INTERNAL };
	struct up_result up;
	struct save_result sr;
	struct restore_result rr;
	struct strv changes = { 0 };
	struct vnet_network *n;
	json_t *out = NULL;
	int i, rc = -1, created = 0;

	switch (c->kind) {
	case CALL_UP:
		rc = verb_up(d, c->topo, c->flag, &up, &err);
		c->topo = NULL;
		if (!rc) {
			out = view_up(d, &up);
			created = up.created.n > 0;
		}
		up_result_clear(&up);
		break;
	case CALL_DOWN:
		if (!(rc = verb_down(d, c->ref, &err)))
			out = json_pack("{s:s}", "deleted", c->ref);
		break;
	case CALL_NET_START:
	case CALL_NET_STOP:
	case CALL_NET_PAUSE:
		rc = c->kind == CALL_NET_START ? verb_net_start(d, c->ref, &err)
		     : c->kind == CALL_NET_STOP ? verb_net_stop(d, c->ref, &err)
		     : verb_net_pause(d, c->ref, c->flag, &err);
		if (!rc && (n = net_find(d, c->ref)))
			out = view_net(d, n, 0);
		break;
	case CALL_NET_GET:
		if ((n = net_find(d, c->ref))) {
			out = view_net(d, n, 1);
			rc = 0;
		} else {
			vnet_errc(&err, VNET_ERR_NOT_FOUND, "no network '%s'", c->ref);
		}
		break;
	case CALL_NET_SAVE:
		if (!(rc = verb_net_save(d, c->ref, c->path, &sr, &err)))
			out = view_save(c->path, &sr, NULL, -1);
		break;
	case CALL_NET_RESTORE:
	case CALL_NET_COPY:
		rc = c->kind == CALL_NET_RESTORE ? verb_net_restore(d, c->path, c->as, &rr, &err)
		     : verb_net_copy(d, c->ref, c->as, c->prefix, &rr, &err);
		if (!rc) {
			out = view_restore(&rr, 0, c->kind == CALL_NET_COPY);
			created = 1;
		}
		break;
	case CALL_NODE_START:
	case CALL_NODE_STOP:
	case CALL_NODE_PAUSE:
	case CALL_NODE_SET:
		rc = c->kind == CALL_NODE_START ? verb_node_start(d, c->ref, &err)
		     : c->kind == CALL_NODE_STOP ? verb_node_stop(d, c->ref, &err)
		     : c->kind == CALL_NODE_PAUSE ? verb_node_pause(d, c->ref, c->flag, &err)
		     : verb_node_set(d, c->ref, &c->nset, &err);
		if (!rc && !resolved_node(d, c->ref, &n, &i))
			out = view_node(d, n, i, 0);
		break;
	case CALL_NODE_GET:
		if (!(rc = net_resolve_node(d, c->ref, &n, &i, &err)))
			out = view_node(d, n, i, 1);
		break;
	case CALL_NODE_ADD:
	case CALL_LINK_ADD:
		rc = c->kind == CALL_NODE_ADD
		     ? verb_node_add(d, c->ref, &c->node, &changes, &err)
		     : verb_link_add(d, c->ref, c->a, c->b, &c->link, &changes, &err);
		if (!rc)
			out = view_changes(c->ref, &changes);
		break;
	case CALL_NODE_DEL:
	case CALL_LINK_DEL: {
		char net[VNET_NAME_MAX];

		verb_ref_net(d, c->ref, c->kind == CALL_NODE_DEL, net, sizeof(net));
		rc = c->kind == CALL_NODE_DEL ? verb_node_del(d, c->ref, &changes, &err)
					      : verb_link_del(d, c->ref, &changes, &err);
		if (!rc)
			out = view_changes(net, &changes);
		break;
	}
	case CALL_NODE_SAVE:
		if (!(rc = verb_node_save(d, c->ref, c->path, &sr, &err)) &&
		    !resolved_node(d, c->ref, &n, &i))
			out = view_save(c->path, &sr, n, i);
		break;
	case CALL_NODE_RESTORE:
	case CALL_NODE_COPY:
		rc = c->kind == CALL_NODE_RESTORE
		     ? verb_node_restore(d, c->path, c->as, &rr, &err)
		     : verb_node_copy(d, c->ref, c->as, &rr, &err);
		if (!rc) {
			out = view_restore(&rr, 1, c->kind == CALL_NODE_COPY);
			created = 1;
		}
		break;
	case CALL_LINK_SET:
	case CALL_LINK_STATE:
		rc = c->kind == CALL_LINK_SET ? verb_link_set(d, c->ref, &c->lset, &err)
					      : verb_link_state(d, c->ref, c->flag, &err);
		if (!rc && net_resolve_link(d, c->ref, &n, &i, NULL) == 0)
			out = view_link(d, n, i, 0);
		break;
	}
	strv_clear(&changes);
	if (rc)
		job_fail(j, &err);
	else
		job_ok(j, out, created);
}

static const char *const call_ops[] = {
	[CALL_UP] = "up", [CALL_DOWN] = "down", [CALL_NET_START] = "network start",
	[CALL_NET_STOP] = "network stop", [CALL_NET_PAUSE] = "network pause",
	[CALL_NET_SAVE] = "network save", [CALL_NET_RESTORE] = "network restore",
	[CALL_NET_COPY] = "network copy", [CALL_NET_GET] = "network show",
	[CALL_NODE_START] = "node start", [CALL_NODE_STOP] = "node stop",
	[CALL_NODE_PAUSE] = "node pause", [CALL_NODE_SET] = "node set",
	[CALL_NODE_ADD] = "node add", [CALL_NODE_DEL] = "node del",
	[CALL_NODE_SAVE] = "node save", [CALL_NODE_RESTORE] = "node restore",
	[CALL_NODE_COPY] = "node copy", [CALL_NODE_GET] = "node show",
	[CALL_LINK_SET] = "link set", [CALL_LINK_STATE] = "link state",
	[CALL_LINK_ADD] = "link add", [CALL_LINK_DEL] = "link del",
};

/* ---- running a call as a job, and answering it ---------------------------- */

static void conn_resume(struct conn *c)
{
	if (!c->suspended)
		return;
	for (struct conn **pp = &c->a->waiting; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	c->suspended = 0;
	MHD_resume_connection(c->mhd);
}

/* The job a suspended connection waits for moved on. */
static void conn_wake(void *arg)
{
	struct conn *c = arg;
	struct job *j = job_find(c->a->d, c->job);

	if (!j || job_state(j) == JOB_DONE ||
	    (c->poll && c->after >= 0 && job_progress(j)->done > c->after))
		conn_resume(c);
}

static void conn_suspend(struct conn *c, struct job *j)
{
	c->job = job_id(j);
	job_watch(j, conn_wake, c);
	MHD_suspend_connection(c->mhd);
	c->suspended = 1;
	c->next = c->a->waiting;
	c->a->waiting = c;
}

/* The connection's socket when the client asked for 102 progress. */
static int progress_fd(struct MHD_Connection *conn)
{
	const char *v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Vnet-Progress");
	const union MHD_ConnectionInfo *ci;

	if (!v || strcmp(v, "1"))
		return -1;
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	return ci ? ci->connect_fd : -1;
}

static int wants_async(struct req *r)
{
	const char *v = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Prefer");

	return v && strstr(v, "respond-async");
}

/* Run call c (taken over) as a job holding locks. Answers 202 with the job
 * when the client prefers, else 0: the connection waits for the end. */
static int submit(struct req *r, struct call *c, const char *const *locks, json_t **out)
{
	struct vnet_err err;
	const char *op = call_ops[c->kind];
	char target[160];
	struct job *j;

	snprintf(target, sizeof(target), "%s", c->ref[0] ? c->ref : c->path ? c->path : "");
	if (!(j = job_submit(r->d, op, target, locks, run_call, c, call_free, &err)))
		return fail(out, &err);
	if (wants_async(r)) {
		*out = job_json(j, 0);
		return 202;
	}
	job_progress(j)->fd = progress_fd(r->conn);
	conn_suspend(r->c, j);
	return 0;
}

static int submit1(struct req *r, struct call *c, const char *lock, json_t **out)
{
	const char *locks[] = { lock, NULL };

	return submit(r, c, locks, out);
}

/* The answer of a finished job, as the verb's own request would have had. */
static int job_reply(const struct job *j, json_t **out)
{
	const struct vnet_err *err;
	json_t *res;
	int created;

	if (job_answer(j, &res, &created, &err))
		return fail(out, err);
	*out = json_incref(res);
	return created ? 201 : 200;
}

static struct call *nomem(json_t **out, int *status)
{
	*status = api_failf(out, 507, "out of memory");
	return NULL;
}

/* ---- handlers ------------------------------------------------------------ */

static int h_status(struct req *r, json_t **out)
{
	*out = view_status(r->d);
	return 200;
}

static int h_hosts(struct req *r, json_t **out)
{
	*out = view_hosts(r->d);
	return 200;
}

static int h_networks(struct req *r, json_t **out)
{
	json_t *arr = json_array();

	for (struct vnet_network *n = r->d->nets; n; n = n->next)
		json_array_append_new(arr, view_net(r->d, n, 0));
	*out = json_pack("{s:o}", "networks", arr);
	return 200;
}

static int h_networks_post(struct req *r, json_t **out)
{
	static const char *const known[] = { "topology", "file", "dir", "dry_run", NULL };
	const char *text, *file, *dir, **locks;
	struct vnet_err err;
	struct topo *t = NULL;
	struct call *c;
	int rc;

	if ((rc = api_check_keys(r->body, known, out)))
		return rc;
	text = body_str(r->body, "topology");
	file = body_str(r->body, "file");
	dir = body_str(r->body, "dir");
	if (!text)
		return api_failf(out, 400, "'topology' (the YAML text) is required");
	if (dir && dir[0] != '/')
		return api_failf(out, 400, "'dir' must be an absolute path");
	if (topo_parse_buf(text, strlen(text), file ? file : "topology", dir ? dir : "/",
			   &t, &err))
		return vnet_err_class(&err, VNET_ERR_INVALID), fail(out, &err);
	if (!(c = call_new(CALL_UP, file ? file : "topology")) ||
	    !(locks = calloc((size_t)t->nnets + 1, sizeof(*locks)))) {
		free(c);
		topo_free(t);
		return api_failf(out, 507, "out of memory");
	}
	c->flag = json_is_true(json_object_get(r->body, "dry_run"));
	for (int i = 0; i < t->nnets && !c->flag; i++)
		locks[i] = t->nets[i].name;
	c->topo = t;
	rc = submit(r, c, locks, out);	/* locks are copied before t can go */
	free(locks);
	return rc;
}

/* Bodies of image requests: {"path"} to save, {"path", "as"} to restore,
 * {"as", ...} to copy; checked here, the rest by the verb. */
static struct call *image_call(struct req *r, enum call_kind kind, const char *ref,
			       const char *const *known, json_t **out, int *status)
{
	struct call *c;

	if ((*status = check_strings(r->body, known, 1, out)))
		return NULL;
	if ((kind == CALL_NET_COPY || kind == CALL_NODE_COPY) && !body_str(r->body, "as")) {
		*status = api_failf(out, 400, "'as' (the name of the copy) is required");
		return NULL;
	}
	if (kind != CALL_NET_COPY && kind != CALL_NODE_COPY) {
		const char *path = body_str(r->body, "path");

		if (!path || path[0] != '/') {
			*status = api_failf(out, 400, "'path' must be an absolute file name");
			return NULL;
		}
	}
	if (!(c = call_new(kind, ref)))
		return nomem(out, status);
	c->path = keep(c, body_str(r->body, "path"));
	c->as = keep(c, body_str(r->body, "as"));
	c->prefix = keep(c, body_str(r->body, "prefix"));
	return c;
}

/* {"bandwidth": "10mbit", ...} into p and mask; skip names the caller
 * handles itself (NULL-terminated). 0 or a status. */
static int props(const json_t *set, const char *const *skip, struct link_params *p,
		 uint32_t *mask, json_t **out)
{
	const char *key;
	json_t *v;
	char msg[256];

	linkp_init(p);
	*mask = 0;
	json_object_foreach((json_t *)set, key, v) {
		int skipped = 0;

		if (!json_is_string(v))
			return api_failf(out, 400, "value of '%s' must be a string such as "
					 "\"10mbit\"", key);
		for (int k = 0; skip && skip[k]; k++)
			skipped |= !strcmp(skip[k], key);
		if (!skipped && linkp_set(p, mask, key, json_string_value(v), msg, sizeof(msg)))
			return api_failf(out, 400, "%s", msg);
	}
	return 0;
}

/* A link of a request: {"name"?, "set"?} (set: both directions). */
static int link_req(struct call *c, const json_t *o, struct live_link_req *l, json_t **out)
{
	json_t *set = json_object_get(o, "set"), *name = json_object_get(o, "name");
	int rc;

	if (set && !json_is_object(set))
		return api_failf(out, 400, "'set' must be an object such as {\"delay\": \"5ms\"}");
	if (name && !json_is_string(name))
		return api_failf(out, 400, "'name' must be a link name");
	if ((rc = props(set, NULL, &l->p, &l->mask, out)))
		return rc;
	l->name = keep(c, json_string_value(name));
	return 0;
}

static int h_node_add(struct req *r, const char *net, json_t **out)
{
	static const char *const known[] = { "name", "kind", "cpu", "memory", "config",
					     "links", NULL };
	static const char *const lknown[] = { "peer", "name", "set", NULL };
	const char *name = body_str(r->body, "name"), *kind = body_str(r->body, "kind");
	const char *cpu = body_str(r->body, "cpu"), *mem = body_str(r->body, "memory");
	json_t *links = json_object_get(r->body, "links"), *e;
	struct call *c;
	size_t k;
	int rc;

	if ((rc = api_check_keys(r->body, known, out)))
		return rc;
	if (!name)
		return api_failf(out, 400, "'name' must be a node name");
	if (kind && strcmp(kind, "router") && strcmp(kind, "host"))
		return api_failf(out, 400, "'kind' must be \"router\" or \"host\"");
	if (json_object_get(r->body, "config") && !body_str(r->body, "config"))
		return api_failf(out, 400, "'config' must be BIRD config text (routers only)");
	if (links && !json_is_array(links))
		return api_failf(out, 400, "'links' must be a list such as [{\"peer\": \"r4\"}]");
	if (!(c = call_new(CALL_NODE_ADD, net)) ||
	    !(c->links = calloc(json_array_size(links) + 1, sizeof(*c->links)))) {
		call_free(c);
		return api_failf(out, 507, "out of memory");
	}
	c->node.name = keep(c, name);
	c->node.kind = kind && !strcmp(kind, "host") ? TOPO_HOST : TOPO_ROUTER;
	c->node.config = keep(c, body_str(r->body, "config"));
	if (cpu && units_parse_cpu(cpu, &c->node.cpu_pct))
		rc = api_failf(out, 400, "bad cpu '%s': expected %s", cpu, UNITS_CPU_FORM);
	else if (mem && units_parse_size(mem, &c->node.mem_bytes))
		rc = api_failf(out, 400, "bad memory '%s': expected %s", mem, UNITS_SIZE_FORM);
	json_array_foreach(links, k, e) {
		struct live_link_req *l = &c->links[k];

		if (rc)
			break;
		if (json_is_string(e)) {
			l->peer = keep(c, json_string_value(e));
			continue;
		}
		if ((rc = api_check_keys(e, lknown, out)))
			break;
		if (!body_str(e, "peer")) {
			rc = api_failf(out, 400, "links[%zu]: expected a peer name or "
				       "{\"peer\": \"r4\", \"set\": {...}}", k);
			break;
		}
		l->peer = keep(c, body_str(e, "peer"));
		rc = link_req(c, e, l, out);
	}
	if (rc) {
		call_free(c);
		return rc;
	}
	c->node.links = c->links;
	c->node.nlinks = (int)json_array_size(links);
	return submit1(r, c, net, out);
}

static int h_link_add(struct req *r, const char *net, json_t **out)
{
	static const char *const known[] = { "ends", "name", "set", NULL };
	json_t *ends = json_object_get(r->body, "ends");
	struct call *c;
	int rc;

	if ((rc = api_check_keys(r->body, known, out)))
		return rc;
	if (!json_is_array(ends) || json_array_size(ends) != 2 ||
	    !json_is_string(json_array_get(ends, 0)) || !json_is_string(json_array_get(ends, 1)))
		return api_failf(out, 400, "'ends' must be two node names such as [\"r4\", \"r5\"]");
	if (!(c = call_new(CALL_LINK_ADD, net)))
		return api_failf(out, 507, "out of memory");
	c->a = keep(c, json_string_value(json_array_get(ends, 0)));
	c->b = keep(c, json_string_value(json_array_get(ends, 1)));
	if ((rc = link_req(c, r->body, &c->link, out))) {
		call_free(c);
		return rc;
	}
	return submit1(r, c, net, out);
}

static int h_network(struct req *r, json_t **out)
{
	static const char *const k_save[] = { "path", NULL }, *const k_copy[] = { "as", "prefix", NULL },
			  *const k_restore[] = { "path", "as", NULL };
	const char *net = r->seg[1], *act = r->nseg == 3 ? r->seg[2] : NULL;
	const char *post = !strcmp(r->method, "POST") ? act : NULL;
	struct call *c = NULL;
	int status;

	if (r->nseg == 2 && !strcmp(net, "restore") && !strcmp(r->method, "POST")) {
		if (!(c = image_call(r, CALL_NET_RESTORE, "", k_restore, out, &status)))
			return status;
		/* the name is the image's unless 'as' says: lock it, or all */
		return submit1(r, c, c->as ? c->as : "*", out);
	}
	if (!net_find(r->d, net)) {
		struct vnet_err err;

		vnet_errc(&err, VNET_ERR_NOT_FOUND, "no network '%s'", net);
		return fail(out, &err);
	}
	if (!act && !strcmp(r->method, "GET"))
		c = call_new(CALL_NET_GET, net);	/* waits for BIRD: a job, no lock */
	else if (!act && !strcmp(r->method, "DELETE"))
		c = call_new(CALL_DOWN, net);
	else if (post && !strcmp(post, "start"))
		c = call_new(CALL_NET_START, net);
	else if (post && !strcmp(post, "stop"))
		c = call_new(CALL_NET_STOP, net);
	else if (post && (!strcmp(post, "pause") || !strcmp(post, "resume"))) {
		if ((c = call_new(CALL_NET_PAUSE, net)))
			c->flag = !strcmp(post, "pause");
	} else if (post && !strcmp(post, "save")) {
		if (!(c = image_call(r, CALL_NET_SAVE, net, k_save, out, &status)))
			return status;
	} else if (post && !strcmp(post, "copy")) {
		const char *locks[3] = { net, NULL, NULL };

		if (!(c = image_call(r, CALL_NET_COPY, net, k_copy, out, &status)))
			return status;
		locks[1] = c->as;
		return submit(r, c, locks, out);
	} else if (post && !strcmp(post, "nodes"))
		return h_node_add(r, net, out);
	else if (post && !strcmp(post, "links"))
		return h_link_add(r, net, out);
	else
		return api_failf(out, 404, "no such API call: %s /v1/%s", r->method, r->path);
	if (!c)
		return api_failf(out, 507, "out of memory");
	return submit1(r, c, c->kind == CALL_NET_GET ? NULL : net, out);
}

/* Split "nodes/<ref...>[/action]" into a reference and an action; see
 * docs/api.md: NET/NAME/ACTION, NET/NAME, NAME/ACTION or NAME. */
static int split_target(struct req *r, const char *const *actions, char *ref,
			size_t reflen, const char **action, int is_node)
{
	int n = r->nseg - 1;
	char **s = r->seg + 1;

	*action = NULL;
	if (n == 3) {
		snprintf(ref, reflen, "%s/%s", s[0], s[1]);
		*action = s[2];
	} else if (n == 2) {
		struct vnet_network *net = net_find(r->d, s[0]);
		int is_action = 0;

		for (int i = 0; actions[i]; i++)
			is_action |= !strcmp(actions[i], s[1]);
		if (net && (is_node ? topo_node_find(&net->spec, s[1])
				    : topo_link_find(&net->spec, s[1])) >= 0)
			is_action = 0;
		else if (!net)
			is_action = 1;
		if (is_action) {
			snprintf(ref, reflen, "%s", s[0]);
			*action = s[1];
		} else {
			snprintf(ref, reflen, "%s/%s", s[0], s[1]);
		}
	} else if (n == 1) {
		snprintf(ref, reflen, "%s", s[0]);
	} else {
		return -1;
	}
	return 0;
}

static int h_node(struct req *r, json_t **out)
{
	static const char *const actions[] = { "start", "stop", "logs", "pause", "resume",
					       "save", "copy", NULL };
	static const char *const k_save[] = { "path", NULL }, *const k_copy[] = { "as", NULL },
			  *const k_restore[] = { "path", "as", NULL };
	char ref[128], net[VNET_NAME_MAX];
	const char *action, *post;
	struct vnet_network *n;
	struct vnet_err err;
	struct call *c = NULL;
	int i, status;

	if (r->nseg == 2 && !strcmp(r->seg[1], "restore") && !strcmp(r->method, "POST")) {
		const char *as;
		char asnet[VNET_NAME_MAX] = "*";

		if (!(c = image_call(r, CALL_NODE_RESTORE, "", k_restore, out, &status)))
			return status;
		/* into the image's network unless 'as' names one */
		if ((as = c->as) && strchr(as, '/') && (size_t)(strchr(as, '/') - as) < sizeof(asnet))
			snprintf(asnet, sizeof(asnet), "%.*s", (int)(strchr(as, '/') - as), as);
		return submit1(r, c, asnet, out);
	}
	if (split_target(r, actions, ref, sizeof(ref), &action, 1))
		return api_failf(out, 404, "no such API call: %s /v1/%s", r->method, r->path);
	if (net_resolve_node(r->d, ref, &n, &i, &err))
		return fail(out, &err);
	snprintf(net, sizeof(net), "%s", n->spec.name);
	post = action && !strcmp(r->method, "POST") ? action : NULL;
	if (!action && !strcmp(r->method, "GET")) {
		c = call_new(CALL_NODE_GET, ref);	/* waits for BIRD: a job, no lock */
		if (!c)
			return api_failf(out, 507, "out of memory");
		return submit1(r, c, NULL, out);
	}
	if (action && !strcmp(action, "logs") && !strcmp(r->method, "GET")) {
		const char *q = query(r, "lines");

		*out = view_node_logs(r->d, n, i, q ? atoi(q) : 50);
		return 200;
	}
	if (!action && !strcmp(r->method, "DELETE")) {
		c = call_new(CALL_NODE_DEL, ref);
	} else if (!action && !strcmp(r->method, "PATCH")) {
		static const char *const known[] = { "set", NULL };
		json_t *set, *v;
		const char *key;

		if ((status = api_check_keys(r->body, known, out)))
			return status;
		set = json_object_get(r->body, "set");
		if (!json_is_object(set) || !json_object_size(set))
			return api_failf(out, 400, "'set' must be an object such as "
					 "{\"cpu\": \"25%%\", \"memory\": \"64M\"}");
		if (!(c = call_new(CALL_NODE_SET, ref)))
			return api_failf(out, 507, "out of memory");
		json_object_foreach(set, key, v) {
			const char *val = json_string_value(v);

			if (!val)
				status = api_failf(out, 400, "value of '%s' must be a string", key);
			else if (!strcmp(key, "cpu")) {
				c->nset.cpu_set = 1;
				if (strcmp(val, "none") && units_parse_cpu(val, &c->nset.cpu_pct))
					status = api_failf(out, 400, "bad cpu '%s': expected %s, or "
							   "none", val, UNITS_CPU_FORM);
			} else if (!strcmp(key, "memory")) {
				c->nset.mem_set = 1;
				if (strcmp(val, "none") && units_parse_size(val, &c->nset.mem_bytes))
					status = api_failf(out, 400, "bad memory '%s': expected %s, "
							   "or none", val, UNITS_SIZE_FORM);
			} else {
				status = api_failf(out, 400, "unknown router property '%s' "
						   "(known: cpu, memory)", key);
			}
			if (status) {
				call_free(c);
				return status;
			}
		}
	} else if (post && !strcmp(post, "start")) {
		c = call_new(CALL_NODE_START, ref);
	} else if (post && !strcmp(post, "stop")) {
		c = call_new(CALL_NODE_STOP, ref);
	} else if (post && (!strcmp(post, "pause") || !strcmp(post, "resume"))) {
		if ((c = call_new(CALL_NODE_PAUSE, ref)))
			c->flag = !strcmp(post, "pause");
	} else if (post && !strcmp(post, "save")) {
		if (!(c = image_call(r, CALL_NODE_SAVE, ref, k_save, out, &status)))
			return status;
	} else if (post && !strcmp(post, "copy")) {
		char asnet[VNET_NAME_MAX];
		const char *locks[3] = { net, NULL, NULL };
		const char *sl;

		if (!(c = image_call(r, CALL_NODE_COPY, ref, k_copy, out, &status)))
			return status;
		if ((sl = strchr(c->as, '/')) && (size_t)(sl - c->as) < sizeof(asnet)) {
			snprintf(asnet, sizeof(asnet), "%.*s", (int)(sl - c->as), c->as);
			locks[1] = asnet;
		}
		return submit(r, c, locks, out);
	} else {
		return api_failf(out, 404, "no such API call: %s /v1/%s", r->method, r->path);
	}
	if (!c)
		return api_failf(out, 507, "out of memory");
	return submit1(r, c, net, out);
}

static int h_link(struct req *r, json_t **out)
{
	static const char *const actions[] = { "up", "down", "stats", "capture", NULL };
	char ref[128], net[VNET_NAME_MAX];
	const char *action;
	struct vnet_network *n;
	struct vnet_err err;
	struct call *c = NULL;
	int i, rc;

	if (split_target(r, actions, ref, sizeof(ref), &action, 0))
		return api_failf(out, 404, "no such API call: %s /v1/%s", r->method, r->path);
	if (net_resolve_link(r->d, ref, &n, &i, &err))
		return fail(out, &err);
	snprintf(net, sizeof(net), "%s", n->spec.name);
	if (!action && !strcmp(r->method, "GET")) {
		*out = view_link(r->d, n, i, 1);
		return 200;
	}
	if (action && !strcmp(action, "stats") && !strcmp(r->method, "GET")) {
		json_t *o = view_link(r->d, n, i, 1);

		*out = json_pack("{s:s, s:s, s:O}", "name", n->spec.links[i].name,
				 "network", n->spec.name, "stats",
				 json_object_get(o, "stats") ? json_object_get(o, "stats")
							     : json_object());
		json_decref(o);
		return 200;
	}
	if (action && !strcmp(action, "capture") && !strcmp(r->method, "GET")) {
		const char *q = query(r, "count");
		unsigned long long count = 0;
		int dirmask;
		char *end;

		if (q && (!*q || *q == '-' || (count = strtoull(q, &end, 10), *end) ||
			  count > UINT32_MAX))
			return api_failf(out, 400, "bad count '%s': expected a number of frames "
					 "(0 = until the client goes away)", q);
		if (verb_link_dir(r->d, ref, query(r, "dir"), &dirmask, &err))
			return fail(out, &err);
		rc = capture_serve(r->d, r->conn, n, i, dirmask, (uint32_t)count, &err);
		if (rc == 0)
			return 0;	/* streaming: the response is queued */
		return fail(out, &err);
	}
	if (!action && !strcmp(r->method, "DELETE")) {
		c = call_new(CALL_LINK_DEL, ref);
	} else if (action && (!strcmp(action, "up") || !strcmp(action, "down")) &&
		   !strcmp(r->method, "POST")) {
		if ((c = call_new(CALL_LINK_STATE, ref)))
			c->flag = !strcmp(action, "up");
	} else if (!action && !strcmp(r->method, "PATCH")) {
		static const char *const known[] = { "set", "dir", NULL };
		static const char *const skip[] = { "profile", "trace", NULL };
		json_t *set, *dir;

		if ((rc = api_check_keys(r->body, known, out)))
			return rc;
		set = json_object_get(r->body, "set");
		dir = json_object_get(r->body, "dir");
		if (!json_is_object(set) || !json_object_size(set))
			return api_failf(out, 400, "'set' must be an object such as "
					 "{\"bandwidth\": \"10mbit\", \"delay\": \"20ms\"}");
		if (dir && !json_is_string(dir))
			return api_failf(out, 400, "'dir' must be a string such as \"r1>r2\"");
		if (!(c = call_new(CALL_LINK_SET, ref)))
			return api_failf(out, 507, "out of memory");
		if ((rc = props(set, skip, &c->lset.p, &c->lset.mask, out))) {
			call_free(c);
			return rc;
		}
		c->lset.trace = keep(c, body_str(set, "trace"));
		c->lset.profile = keep(c, body_str(set, "profile"));
		c->lset.dir = keep(c, json_string_value(dir));
	} else {
		return api_failf(out, 404, "no such API call: %s /v1/%s", r->method, r->path);
	}
	if (!c)
		return api_failf(out, 507, "out of memory");
	return submit1(r, c, net, out);
}

static int h_events(struct req *r, json_t **out)
{
	const char *q = query(r, "lines");

	*out = json_pack("{s:o}", "events",
			 store_events(r->d->store, query(r, "network"), NULL, q ? atoi(q) : 100));
	return 200;
}

static int h_shutdown(struct req *r, json_t **out)
{
	r->d->quit = 1;
	*out = json_pack("{s:s}", "shutdown", "started");
	return 202;
}

/* GET jobs, GET jobs/ID[?wait=MS[&after=DONE]]: with wait, the answer comes
 * when the job ends, has done more than `after` steps (when given), or MS
 * pass. */
static int h_jobs(struct req *r, json_t **out)
{
	const char *wait = query(r, "wait"), *after = query(r, "after");
	unsigned long long id, ms = 0, af = 0;
	struct job *j;
	char *end;

	if (r->nseg == 1) {
		*out = json_pack("{s:o}", "jobs", jobs_json(r->d));
		return 200;
	}
	id = strtoull(r->seg[1], &end, 10);
	if (*end || !(j = job_find(r->d, id)))
		return api_failf(out, 404, "no job '%s' (finished jobs are kept %d minutes)",
				 r->seg[1], JOB_KEEP_MS / 60000);
	if ((wait && (!*wait || (ms = strtoull(wait, &end, 10), *end))) ||
	    (after && (!*after || (af = strtoull(after, &end, 10), *end) || af > INT32_MAX)))
		return api_failf(out, 400, "bad wait or after: expected whole numbers "
				 "(milliseconds, steps)");
	if (ms && job_state(j) != JOB_DONE && (!after || job_progress(j)->done <= (int)af)) {
		r->c->poll = 1;
		r->c->after = after ? (int)af : -1;
		r->c->deadline = now_ms() + (ms > API_MAX_WAIT_MS ? API_MAX_WAIT_MS : (int64_t)ms);
		conn_suspend(r->c, j);
		return 0;
	}
	*out = job_json(j, 1);
	return 200;
}

struct route {
	const char *method;	/* NULL: any */
	const char *first;	/* first path segment */
	int min, max;		/* segments */
	handler_fn fn;
};

static const struct route routes[] = {
	{ "GET", "status", 1, 1, h_status },
	{ "GET", "hosts", 1, 1, h_hosts },
	{ "GET", "networks", 1, 1, h_networks },
	{ "POST", "networks", 1, 1, h_networks_post },
	{ NULL, "networks", 2, 3, h_network },
	{ NULL, "nodes", 2, 4, h_node },
	{ NULL, "links", 2, 4, h_link },
	{ "GET", "events", 1, 1, h_events },
	{ "GET", "jobs", 1, 2, h_jobs },
	{ "POST", "shutdown", 1, 1, h_shutdown },
};

static int dispatch(struct req *r, json_t **out)
{
	int path_known = 0;

	for (size_t i = 0; i < ARRAY_SIZE(routes); i++) {
		const struct route *rt = &routes[i];

		if (r->nseg < rt->min || r->nseg > rt->max || strcmp(r->seg[0], rt->first))
			continue;
		path_known = 1;
		if (rt->method && strcmp(rt->method, r->method))
			continue;
		return rt->fn(r, out);
	}
	if (path_known)
		return api_failf(out, 405, "method %s is not allowed on /v1/%s", r->method, r->path);
	return api_failf(out, 404, "no such API call: %s /v1/%s", r->method, r->path);
}

/* ---- libmicrohttpd glue -------------------------------------------------- */

static enum MHD_Result send_json(struct MHD_Connection *conn, int status, json_t *body,
				 uint64_t job)
{
	char *text = json_dumps(body, JSON_COMPACT);
	size_t len = text ? strlen(text) : 0;
	struct MHD_Response *resp;
	enum MHD_Result ret;

	if (text) {
		char *nt = realloc(text, len + 2);

		if (nt) {
			text = nt;
			text[len++] = '\n';
		}
	}
	resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(resp, "Content-Type", "application/json");
	if (status == 202 && job) {
		char loc[64];

		snprintf(loc, sizeof(loc), "/v1/jobs/%llu", (unsigned long long)job);
		MHD_add_response_header(resp, "Location", loc);
	}
	ret = MHD_queue_response(conn, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* A suspended connection was resumed: answer from its job. */
static enum MHD_Result resumed(struct api *a, struct conn *c)
{
	struct job *j = job_find(a->d, c->job);
	json_t *out = NULL;
	int status;
	enum MHD_Result ret;

	if (j)
		job_unwatch(j, c);
	if (!j)
		status = api_failf(&out, 500, "job %llu is gone", (unsigned long long)c->job);
	else if (c->poll) {
		out = job_json(j, 1);
		status = 200;
	} else
		status = job_reply(j, &out);
	c->job = 0;
	c->poll = 0;
	ret = send_json(c->mhd, status, out, 0);
	json_decref(out);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_size, void **con_cls)
{
	struct api *a = cls;
	struct conn *c = *con_cls;
	struct req r = { .d = a->d, .conn = conn, .method = method };
	json_t *out = NULL;
	int status;
	enum MHD_Result ret;

	(void)version;
	if (!c) {
		if (!(c = calloc(1, sizeof(*c))))
			return MHD_NO;
		c->a = a;
		c->mhd = conn;
		*con_cls = c;
		return MHD_YES;
	}
	if (c->job)
		return resumed(a, c);
	if (*upload_size) {
		if (c->len + *upload_size > API_MAX_BODY) {
			c->too_big = 1;
		} else {
			char *nb = realloc(c->buf, c->len + *upload_size + 1);

			if (!nb)
				return MHD_NO;
			c->buf = nb;
			memcpy(c->buf + c->len, upload_data, *upload_size);
			c->len += *upload_size;
			c->buf[c->len] = 0;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	r.c = c;
	if (c->too_big) {
		status = api_failf(&out, 413, "request body larger than %u bytes", API_MAX_BODY);
		goto reply;
	}
	if (strncmp(url, "/v1/", 4) || !url[4]) {
		status = api_failf(&out, 404, "no such API call: %s %s (the API is under /v1/)",
				   method, url);
		goto reply;
	}
	if (c->len) {
		json_error_t jerr;

		r.body = json_loadb(c->buf, c->len, 0, &jerr);
		if (!r.body) {
			status = api_failf(&out, 400, "invalid JSON in the request body at line %d "
					   "column %d: %s", jerr.line, jerr.column, jerr.text);
			goto reply;
		}
	}
	r.path = strdup(url + 4);
	char *segs = strdup(url + 4);

	for (char *p = segs, *save = NULL, *tok; segs && r.nseg <= (int)ARRAY_SIZE(r.seg) &&
	     (tok = strtok_r(p, "/", &save)); p = NULL) {
		if (r.nseg < (int)ARRAY_SIZE(r.seg))
			r.seg[r.nseg] = tok;
		r.nseg++;
	}
	if (!r.path || !segs)
		status = api_failf(&out, 507, "out of memory");
	else if (r.nseg == 0 || r.nseg > (int)ARRAY_SIZE(r.seg))
		status = api_failf(&out, 404, "no such API call: %s %s", method, url);
	else
		status = dispatch(&r, &out);
	if (status >= 400)
		log_info("api: %s /v1/%s -> %d: %s", method, r.path, status,
			 json_string_value(json_object_get(out, "error")));
	free(segs);
	free(r.path);
	json_decref(r.body);
	if (status == 0)	/* suspended for a job, or a stream queued (capture) */
		return MHD_YES;
reply:
	ret = send_json(conn, status, out,
			status == 202 ? (uint64_t)json_integer_value(json_object_get(out, "id")) : 0);
	json_decref(out);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct conn *c = *con_cls;
	struct api *a = cls;
	struct job *j;

	(void)conn;
	(void)toe;
	if (!c)
		return;
	if (c->job && (j = job_find(a->d, c->job)))
		job_unwatch(j, c);
	for (struct conn **pp = &a->waiting; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	free(c->buf);
	free(c);
	*con_cls = NULL;
}

static int listen_unix(const char *path, struct vnet_err *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return vnet_errf(err, "socket path too long: %s", path);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return vnet_errf(err, "socket: %s", strerror(errno));
	/* A socket file nobody answers on is stale: replace it. */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		close(fd);
		return vnet_errf(err, "another vnetd is already serving %s", path);
	}
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 64)) {
		vnet_errf(err, "cannot listen on %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	chmod(path, 0660);
	return fd;
}

struct api *api_new(struct vnetd *d, const char *socket_path, struct vnet_err *err)
{
	struct api *a = calloc(1, sizeof(*a));

	if (!a) {
		vnet_errf(err, "out of memory");
		return NULL;
	}
	a->d = d;
	a->listen_fd = listen_unix(socket_path, err);
	if (a->listen_fd < 0)
		goto fail;
	a->mhd = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_TURBO | MHD_ALLOW_SUSPEND_RESUME,
				  0, NULL, NULL,
				  on_request, a,
				  MHD_OPTION_LISTEN_SOCKET, a->listen_fd,
				  MHD_OPTION_NOTIFY_COMPLETED, on_completed, a,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)300,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000,
				  MHD_OPTION_END);
	if (!a->mhd) {
		vnet_errf(err, "cannot start the HTTP server on %s", socket_path);
		goto fail;
	}
	return a;
fail:
	if (a->listen_fd >= 0) {
		close(a->listen_fd);
		unlink(socket_path);
	}
	free(a);
	return NULL;
}

void api_free(struct api *a)
{
	if (!a)
		return;
	/* no suspended connection may remain when libmicrohttpd stops */
	while (a->waiting)
		conn_resume(a->waiting);
	if (a->mhd)
		MHD_run(a->mhd);
	capture_end_all(a->d, a->mhd);
	if (a->mhd)
		MHD_stop_daemon(a->mhd);
	close(a->listen_fd);
	unlink(a->d->socket_path);
	free(a);
}

int api_fd(const struct api *a)
{
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(a->mhd, MHD_DAEMON_INFO_EPOLL_FD);

	return info ? info->epoll_fd : -1;
}

int api_run(struct api *a)
{
	MHD_UNSIGNED_LONG_LONG t;
	int64_t now = now_ms(), next = -1;

	/* long polls whose time is up */
	for (struct conn *c = a->waiting, *nx; c; c = nx) {
		nx = c->next;
		if (!c->poll)
			continue;
		if (c->deadline <= now)
			conn_resume(c);
		else if (next < 0 || c->deadline - now < next)
			next = c->deadline - now;
	}
	MHD_run(a->mhd);
	if (MHD_get_timeout(a->mhd, &t) == MHD_YES && (next < 0 || (int64_t)t < next))
		next = (int64_t)t;
	return next > 60000 ? 60000 : (int)next;
}
