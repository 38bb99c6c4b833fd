/*
 * test_vnetd_store.c - the state store's schema steps (vnetd/store.c): a
 * database of every earlier schema version, with a network in it as that
 * release wrote it, opens in this one with the network intact, the new
 * tables usable, and the version up to date; a database of a newer version
 * is refused and left as it is; a new database gets the whole schema.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "store.h"

/* The schema of version 1 and 2, as those releases created it. */
static const char *const v1 =
	"CREATE TABLE networks (name TEXT PRIMARY KEY, file TEXT NOT NULL, spec TEXT NOT "
	"NULL, state TEXT NOT NULL, updated REAL NOT NULL);"
	"CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, time REAL NOT NULL, "
	"network TEXT, node TEXT, message TEXT NOT NULL);"
	"CREATE INDEX events_node ON events(network, node);"
	"INSERT INTO networks VALUES ('red', '/tmp/seed.yaml', '{\"name\":\"red\"}', "
	"'running', 1.0);"
	"INSERT INTO events(time, network, node, message) VALUES (1.0, 'red', NULL, "
	"'network started');"
	"PRAGMA user_version = 1;";
static const char *const v2 =
	"CREATE TABLE networks (name TEXT PRIMARY KEY, file TEXT NOT NULL, spec TEXT NOT "
	"NULL, state TEXT NOT NULL, updated REAL NOT NULL, runtime TEXT);"
	"CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, time REAL NOT NULL, "
	"network TEXT, node TEXT, message TEXT NOT NULL);"
	"CREATE INDEX events_node ON events(network, node);"
	"INSERT INTO networks VALUES ('red', '/tmp/seed.yaml', '{\"name\":\"red\"}', "
	"'running', 1.0, '{\"nodes\":{}}');"
	"INSERT INTO events(time, network, node, message) VALUES (1.0, 'red', NULL, "
	"'network started');"
	"PRAGMA user_version = 2;";

static char dir[64];

static void make_db(const char *path, const char *sql)
{
	sqlite3 *db;

	unlink(path);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sql)
		assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static int user_version(const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int v;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

struct seen {
	int n;
	char runtime[64];
};

static int count(void *arg, const char *name, const char *file, const char *spec,
		 const char *state, const char *runtime)
{
	struct seen *s = arg;

	assert_string_equal(name, "red");
	assert_string_equal(file, "/tmp/seed.yaml");
	assert_string_equal(spec, "{\"name\":\"red\"}");
	assert_string_equal(state, "running");
	snprintf(s->runtime, sizeof(s->runtime), "%s", runtime ? runtime : "(none)");
	s->n++;
	return 0;
}

/* Open the database at path (written by an older release) and use it. */
static void opens_and_works(const char *path, const char *runtime)
{
	struct store_place pl[2] = { { "node", "r1", "here", "" },
				     { "link", "r1-r2", "here", "here" } };
	struct vnet_err err;
	struct seen s = { 0 };
	struct store *st = store_open(path, &err);
	json_t *j;

	if (!st)
		fail_msg("%s", err.msg);
	assert_int_equal(store_net_each(st, count, &s), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.runtime, runtime);
	j = store_events(st, "red", NULL, 10);
	assert_int_equal(json_array_size(j), 1);
	json_decref(j);
	/* the new tables */
	assert_int_equal(store_net_put(st, "red", "/tmp/seed.yaml", "{\"name\":\"red\"}", "running",
				       NULL, pl, 2), 0);
	j = store_placements(st, "red");
	assert_int_equal(json_array_size(j), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0), "kind")),
			    "node");
	json_decref(j);
	assert_int_equal(store_host_put(st, "here", NULL, "test"), 0);
	j = store_hosts(st);
	assert_int_equal(json_array_size(j), 1);
	json_decref(j);
	assert_int_equal(store_net_del(st, "red"), 0);
	j = store_placements(st, "red");
	assert_int_equal(json_array_size(j), 0);
	json_decref(j);
	store_close(st);
	assert_int_equal(user_version(path), 3);
}

static void test_from_v1(void **state)
{
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/v1.db", dir);
	make_db(path, v1);
	opens_and_works(path, "(none)");
}

static void test_from_v2(void **state)
{
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/v2.db", dir);
	make_db(path, v2);
	opens_and_works(path, "{\"nodes\":{}}");
}

static void test_new(void **state)
{
	char path[128];
	struct vnet_err err;
	struct store *st;

	(void)state;
	snprintf(path, sizeof(path), "%s/new.db", dir);
	make_db(path, NULL);
	assert_non_null(st = store_open(path, &err));
	store_close(st);
	assert_int_equal(user_version(path), 3);
}

static void test_newer_is_refused(void **state)
{
	char path[128];
	struct vnet_err err;

	(void)state;
	snprintf(path, sizeof(path), "%s/v9.db", dir);
	make_db(path, "CREATE TABLE x (a); PRAGMA user_version = 9;");
	assert_null(store_open(path, &err));
	assert_non_null(strstr(err.msg, "schema version 9"));
	assert_int_equal(user_version(path), 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_v1),
		cmocka_unit_test(test_from_v2),
		cmocka_unit_test(test_new),
		cmocka_unit_test(test_newer_is_refused),
	};
	char cmd[96];
	int rc;

	snprintf(dir, sizeof(dir), "/tmp/vnet-store.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
