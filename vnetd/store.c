/*
 * store.c - SQLite state store (see store.h). The schema is versioned with
 * PRAGMA user_version and brought up to date by numbered steps; a database
 * of a newer version is refused rather than misread.
 */
#include "store.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

struct store {
	sqlite3 *db;
};

/*
 * The schema, as the steps that bring a database from one version to the
 * next. A new database takes them all; an older one the steps it lacks, in
 * one transaction, so a state directory written by any earlier release
 * opens in this one (tests/unit/test_store.c opens one of each version).
 * Steps are only ever appended.
 */
static const char *const migrations[] = {
	/* 0 -> 1: networks and events */
	"CREATE TABLE IF NOT EXISTS networks ("
	"  name TEXT PRIMARY KEY,"
	"  file TEXT NOT NULL,"
	"  spec TEXT NOT NULL,"
	"  state TEXT NOT NULL,"
	"  updated REAL NOT NULL);"
	"CREATE TABLE IF NOT EXISTS events ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  time REAL NOT NULL,"
	"  network TEXT,"
	"  node TEXT,"
	"  message TEXT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS events_node ON events(network, node);",
	/* 1 -> 2: what runs, for a restarted vnetd to adopt */
	"ALTER TABLE networks ADD COLUMN runtime TEXT;",
	/* 2 -> 3: physical hosts, and where each node and link of a network is */
	"CREATE TABLE hosts ("
	"  name TEXT PRIMARY KEY,"
	"  address TEXT,"
	"  version TEXT NOT NULL,"
	"  updated REAL NOT NULL);"
	"CREATE TABLE placements ("
	"  network TEXT NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('node', 'link')),"
	"  item TEXT NOT NULL,"
	"  host TEXT NOT NULL,"
	"  path TEXT,"
	"  PRIMARY KEY (network, kind, item));",
};

#define STORE_SCHEMA_VERSION ((int)ARRAY_SIZE(migrations))

/* -ENOSPC for a full disk, -EIO for anything else SQLite refuses. */
static int sql_errno(struct store *s)
{
	int rc = sqlite3_errcode(s->db);

	return rc == SQLITE_FULL ? -ENOSPC : -EIO;
}

static int migrate(struct store *s, int from, const char *path, struct vnet_err *err)
{
	char *msg = NULL, sql[64];

	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK)
		goto fail;
	for (int v = from; v < STORE_SCHEMA_VERSION; v++)
		if (sqlite3_exec(s->db, migrations[v], NULL, NULL, &msg) != SQLITE_OK)
			goto fail;
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", STORE_SCHEMA_VERSION);
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK ||
	    sqlite3_exec(s->db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK)
		goto fail;
	if (from)
		log_info("state database %s upgraded from schema version %d to %d", path, from,
			 STORE_SCHEMA_VERSION);
	return 0;
fail:
	vnet_errc(err, sql_errno(s) == -ENOSPC ? VNET_ERR_EXHAUSTED : VNET_ERR_INTERNAL,
		  "state database %s: upgrading from schema version %d: %s", path, from,
		  msg ? msg : sqlite3_errmsg(s->db));
	sqlite3_free(msg);
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct store *store_open(const char *path, struct vnet_err *err)
{
	struct store *s = calloc(1, sizeof(*s));
	sqlite3_stmt *st = NULL;
	char *msg = NULL;
	int version;

	if (!s) {
		vnet_errf(err, "out of memory");
		return NULL;
	}
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		vnet_errf(err, "cannot open state database %s: %s", path,
			  s->db ? sqlite3_errmsg(s->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 2000);
	if (sqlite3_exec(s->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
			 NULL, NULL, &msg) != SQLITE_OK) {
		vnet_errf(err, "state database %s: %s", path, msg);
		goto fail;
	}
	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		vnet_errf(err, "state database %s: %s", path, sqlite3_errmsg(s->db));
		goto fail;
	}
	version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (version > STORE_SCHEMA_VERSION) {
		vnet_errf(err, "state database %s has schema version %d; this vnetd "
			  "understands up to %d", path, version, STORE_SCHEMA_VERSION);
		goto fail;
	}
	if (version < STORE_SCHEMA_VERSION && migrate(s, version, path, err))
		goto fail;
	return s;
fail:
	sqlite3_free(msg);
	sqlite3_finalize(st);
	store_close(s);
	return NULL;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	sqlite3_close(s->db);
	free(s);
}

static int exec_stmt(struct store *s, const char *sql, int n, const char **args)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		log_error("store: %s", sqlite3_errmsg(s->db));
		return sql_errno(s);
	}
	for (int i = 0; i < n; i++)
		sqlite3_bind_text(st, i + 1, args[i], -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		log_error("store: %s", sqlite3_errmsg(s->db));
		return sql_errno(s);
	}
	return 0;
}

static int step_done(struct store *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : sql_errno(s);
}

static int net_row(struct store *s, const char *name, const char *file, const char *spec_json,
		   const char *state, const char *runtime_json)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO networks"
			       "(name, file, spec, state, updated, runtime) VALUES (?,?,?,?,?,?)",
			       -1, &st, NULL) != SQLITE_OK)
		return sql_errno(s);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, file ? file : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, spec_json, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, state, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(st, 5, wall_now());
	if (runtime_json)
		sqlite3_bind_text(st, 6, runtime_json, -1, SQLITE_TRANSIENT);
	return step_done(s, st);
}

static int place_row(struct store *s, const char *net, const struct store_place *p)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(s->db, "INSERT INTO placements(network, kind, item, host, path) "
			       "VALUES (?,?,?,?,?)", -1, &st, NULL) != SQLITE_OK)
		return sql_errno(s);
	sqlite3_bind_text(st, 1, net, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, p->kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, p->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, p->host, -1, SQLITE_TRANSIENT);
	if (p->path[0])
		sqlite3_bind_text(st, 5, p->path, -1, SQLITE_TRANSIENT);
	return step_done(s, st);
}

static int begin(struct store *s)
{
	return sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK
	       ? 0 : sql_errno(s);
}

/* COMMIT when rc is 0, else ROLLBACK; returns rc (or COMMIT's failure). */
static int end(struct store *s, int rc)
{
	if (rc == 0 && sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rc = sql_errno(s);
	if (rc)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int store_net_put(struct store *s, const char *name, const char *file,
		  const char *spec_json, const char *state, const char *runtime_json,
		  const struct store_place *pl, int npl)
{
	int rc = begin(s);

	if (rc)
		return rc;
	rc = net_row(s, name, file, spec_json, state, runtime_json);
	if (!rc)
		rc = exec_stmt(s, "DELETE FROM placements WHERE network = ?", 1, &name);
	for (int k = 0; k < npl && !rc; k++)
		rc = place_row(s, name, &pl[k]);
	if ((rc = end(s, rc)))
		log_error("store: saving network %s: %s", name, sqlite3_errmsg(s->db));
	return rc;
}

int store_net_del(struct store *s, const char *name)
{
	int rc = begin(s);

	if (rc)
		return rc;
	rc = exec_stmt(s, "DELETE FROM networks WHERE name = ?", 1, &name);
	if (!rc)
		rc = exec_stmt(s, "DELETE FROM placements WHERE network = ?", 1, &name);
	return end(s, rc);
}

json_t *store_placements(struct store *s, const char *net)
{
	sqlite3_stmt *st;
	json_t *arr = json_array();

	if (sqlite3_prepare_v2(s->db, "SELECT kind, item, host, path FROM placements "
			       "WHERE network = ? ORDER BY kind DESC, item", -1, &st,
			       NULL) != SQLITE_OK)
		return arr;
	sqlite3_bind_text(st, 1, net, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s?}",
			"kind", (const char *)sqlite3_column_text(st, 0),
			"name", (const char *)sqlite3_column_text(st, 1),
			"host", (const char *)sqlite3_column_text(st, 2),
			"path", (const char *)sqlite3_column_text(st, 3)));
	sqlite3_finalize(st);
	return arr;
}

int store_host_put(struct store *s, const char *name, const char *address,
		   const char *version)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO hosts(name, address, version, "
			       "updated) VALUES (?,?,?,?)", -1, &st, NULL) != SQLITE_OK)
		return sql_errno(s);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	if (address)
		sqlite3_bind_text(st, 2, address, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, version, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(st, 4, wall_now());
	return step_done(s, st);
}

json_t *store_hosts(struct store *s)
{
	sqlite3_stmt *st;
	json_t *arr = json_array();

	if (sqlite3_prepare_v2(s->db, "SELECT name, address, version, updated FROM hosts "
			       "ORDER BY name", -1, &st, NULL) != SQLITE_OK)
		return arr;
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(arr, json_pack("{s:s, s:s?, s:s, s:f}",
			"name", (const char *)sqlite3_column_text(st, 0),
			"address", (const char *)sqlite3_column_text(st, 1),
			"version", (const char *)sqlite3_column_text(st, 2),
			"updated", sqlite3_column_double(st, 3)));
	sqlite3_finalize(st);
	return arr;
}

int store_net_each(struct store *s, store_net_cb cb, void *arg)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (sqlite3_prepare_v2(s->db, "SELECT name, file, spec, state, runtime FROM networks "
			       "ORDER BY rowid", -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW)
		rc = cb(arg, (const char *)sqlite3_column_text(st, 0),
			(const char *)sqlite3_column_text(st, 1),
			(const char *)sqlite3_column_text(st, 2),
			(const char *)sqlite3_column_text(st, 3),
			(const char *)sqlite3_column_text(st, 4));
	sqlite3_finalize(st);
	return rc;
}

int store_event_add(struct store *s, const char *net, const char *node,
		    const char *msg)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "INSERT INTO events(time, network, node, message) "
			       "VALUES (?,?,?,?)", -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_double(st, 1, wall_now());
	if (net)
		sqlite3_bind_text(st, 2, net, -1, SQLITE_TRANSIENT);
	if (node)
		sqlite3_bind_text(st, 3, node, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, msg, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : sql_errno(s);
}

json_t *store_events(struct store *s, const char *net, const char *node, int limit)
{
	sqlite3_stmt *st;
	json_t *arr = json_array();

	if (sqlite3_prepare_v2(s->db,
			       "SELECT time, network, node, message FROM ("
			       " SELECT id, time, network, node, message FROM events"
			       " WHERE (?1 IS NULL OR network = ?1) AND (?2 IS NULL OR node = ?2)"
			       " ORDER BY id DESC LIMIT ?3) ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK)
		return arr;
	if (net)
		sqlite3_bind_text(st, 1, net, -1, SQLITE_TRANSIENT);
	if (node)
		sqlite3_bind_text(st, 2, node, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 3, limit > 0 ? limit : 100);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *nt = (const char *)sqlite3_column_text(st, 1);
		const char *nd = (const char *)sqlite3_column_text(st, 2);

		json_array_append_new(arr, json_pack("{s:f, s:s?, s:s?, s:s}",
			"time", sqlite3_column_double(st, 0), "network", nt,
			"node", nd, "message", (const char *)sqlite3_column_text(st, 3)));
	}
	sqlite3_finalize(st);
	return arr;
}
