/*
 * store.c - SQLite state store (see store.h). The schema is versioned with
 * PRAGMA user_version; a database of a newer version is refused rather than
 * misread.
 */
#include "store.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

#define STORE_SCHEMA_VERSION 2

struct store {
	sqlite3 *db;
};

static const char *schema =
	"CREATE TABLE IF NOT EXISTS networks ("
	"  name TEXT PRIMARY KEY,"
	"  file TEXT NOT NULL,"
	"  spec TEXT NOT NULL,"
	"  state TEXT NOT NULL,"
	"  updated REAL NOT NULL,"
	"  runtime TEXT);"
	"CREATE TABLE IF NOT EXISTS events ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  time REAL NOT NULL,"
	"  network TEXT,"
	"  node TEXT,"
	"  message TEXT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS events_node ON events(network, node);";

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
	/* version 1 had no runtime column */
	if (version == 1 &&
	    sqlite3_exec(s->db, "ALTER TABLE networks ADD COLUMN runtime TEXT", NULL, NULL,
			 &msg) != SQLITE_OK) {
		vnet_errf(err, "state database %s: upgrading: %s", path, msg);
		goto fail;
	}
	if (sqlite3_exec(s->db, schema, NULL, NULL, &msg) != SQLITE_OK ||
	    sqlite3_exec(s->db, "PRAGMA user_version = 2", NULL, NULL, &msg) != SQLITE_OK) {
		vnet_errf(err, "state database %s: %s", path, msg);
		goto fail;
	}
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
		return -EIO;
	}
	for (int i = 0; i < n; i++)
		sqlite3_bind_text(st, i + 1, args[i], -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		log_error("store: %s", sqlite3_errmsg(s->db));
		return -EIO;
	}
	return 0;
}

int store_net_put(struct store *s, const char *name, const char *file,
		  const char *spec_json, const char *state, const char *runtime_json)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO networks"
			       "(name, file, spec, state, updated, runtime) VALUES (?,?,?,?,?,?)",
			       -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, file ? file : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, spec_json, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, state, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(st, 5, wall_now());
	if (runtime_json)
		sqlite3_bind_text(st, 6, runtime_json, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		log_error("store: saving network %s: %s", name, sqlite3_errmsg(s->db));
		return -EIO;
	}
	return 0;
}

int store_net_del(struct store *s, const char *name)
{
	return exec_stmt(s, "DELETE FROM networks WHERE name = ?", 1, &name);
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
	return rc == SQLITE_DONE ? 0 : -EIO;
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
