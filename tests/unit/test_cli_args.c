/*
 * test_cli_args.c - the argument checks of the vnet command (cli/args.c):
 * NET, NET/NAME and NAME references, "prop=value" lists with the
 * "dir=A>B" of `vnet link set`, the networks or file of `vnet down`, line
 * counts, and API paths.
 *
 * cli/args.c uses neither libcurl nor jansson, so it is compiled into this
 * test directly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../cli/args.c"

static const char *const link_keys[] = { "bandwidth", "delay", "loss", NULL };

static void test_ref_ok(void **state)
{
	char err[256];

	(void)state;
	assert_int_equal(args_ref_check("red", ARGS_NET, err, sizeof(err)), 0);
	assert_int_equal(args_ref_check("red/r1", ARGS_NODE, err, sizeof(err)), 0);
	assert_int_equal(args_ref_check("r1", ARGS_NODE, err, sizeof(err)), 0);
	assert_int_equal(args_ref_check("red/r1-r2", ARGS_LINK, err, sizeof(err)), 0);
	assert_int_equal(args_ref_check("a_b.c-d", ARGS_NODE, err, sizeof(err)), 0);
	/* 31 characters: the longest node name */
	assert_int_equal(args_ref_check("abcdefghijabcdefghijabcdefghij1", ARGS_NODE, err,
					sizeof(err)), 0);
	/* link names may be longer ("a-b" of two long node names) */
	assert_int_equal(args_ref_check("red/abcdefghijabcdefghijabcdefghij1-x", ARGS_LINK,
					err, sizeof(err)), 0);
}

static void test_ref_bad(void **state)
{
	char err[256];

	(void)state;
	assert_int_equal(args_ref_check("red/r1", ARGS_NET, err, sizeof(err)), -1);
	assert_string_equal(err, "'red/r1' is not a network name (NET, without '/')");
	assert_int_equal(args_ref_check("a/b/c", ARGS_NODE, err, sizeof(err)), -1);
	assert_string_equal(err, "'a/b/c' is not a node: expected NET/NAME or NAME");
	assert_int_equal(args_ref_check("r 1", ARGS_NODE, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bad node name 'r 1'"));
	assert_int_equal(args_ref_check("red/", ARGS_NODE, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bad node name 'red/'"));
	assert_int_equal(args_ref_check("/r1", ARGS_LINK, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bad network name in '/r1'"));
	assert_int_equal(args_ref_check("", ARGS_LINK, err, sizeof(err)), -1);
	assert_string_equal(err, "empty link name");
	assert_int_equal(args_ref_check("-r1", ARGS_NODE, err, sizeof(err)), -1);
	assert_int_equal(args_ref_check("abcdefghijabcdefghijabcdefghij12", ARGS_NODE, err,
					sizeof(err)), -1);
	assert_int_equal(args_ref_check("red/r1;rm", ARGS_NODE, err, sizeof(err)), -1);
}

static void test_props_ok(void **state)
{
	char *argv[] = { "bandwidth=10mbit", "dir=r1>r2", "delay=20ms" };
	struct args_prop p[ARGS_PROPS_MAX];
	const char *dir = "x";
	char err[512];

	(void)state;
	assert_int_equal(args_props_parse(3, argv, link_keys, &dir, p, ARGS_PROPS_MAX, err,
					  sizeof(err)), 2);
	assert_string_equal(p[0].key, "bandwidth");
	assert_string_equal(p[0].value, "10mbit");
	assert_string_equal(p[1].key, "delay");
	assert_string_equal(p[1].value, "20ms");
	assert_string_equal(dir, "r1>r2");

	/* without dir=, *dir is NULL; values may hold '=' */
	argv[1] = "loss=0.1%";
	argv[2] = "delay=a=b";
	assert_int_equal(args_props_parse(3, argv, link_keys, &dir, p, ARGS_PROPS_MAX, err,
					  sizeof(err)), 3);
	assert_null(dir);
	assert_string_equal(p[2].value, "a=b");

	/* known == NULL accepts any key */
	argv[0] = "anything=1";
	assert_int_equal(args_props_parse(1, argv, NULL, NULL, p, ARGS_PROPS_MAX, err,
					  sizeof(err)), 1);
}

/* Parse one argument list and expect error msg. */
static void expect_props_error(int argc, char **argv, int with_dir, const char *msg)
{
	struct args_prop p[2];
	const char *dir;
	char err[512];

	assert_int_equal(args_props_parse(argc, argv, link_keys, with_dir ? &dir : NULL, p, 2,
					  err, sizeof(err)), -1);
	assert_string_equal(err, msg);
}

static void test_props_bad(void **state)
{
	char *novalue[] = { "bandwidth" };
	char *empty[] = { "bandwidth=" };
	char *nokey[] = { "=10mbit" };
	char *unknown[] = { "bandwdith=1mbit" };
	char *twice[] = { "delay=1ms", "delay=2ms" };
	char *baddir[] = { "dir=r1" };
	char *baddir2[] = { "dir=>r2" };
	char *twodirs[] = { "dir=a>b", "dir=b>a" };
	char *onlydir[] = { "dir=a>b" };
	char *toomany[] = { "delay=1ms", "loss=1%", "bandwidth=1mbit" };

	(void)state;
	expect_props_error(1, novalue, 1, "'bandwidth' needs a value: bandwidth=VALUE");
	expect_props_error(1, empty, 1, "'bandwidth' needs a value: bandwidth=VALUE");
	expect_props_error(1, nokey, 1, "'=10mbit' has no property name: PROP=VALUE");
	expect_props_error(1, unknown, 1,
			   "unknown property 'bandwdith' (known: bandwidth, delay, loss, dir)");
	expect_props_error(1, unknown, 0,
			   "unknown property 'bandwdith' (known: bandwidth, delay, loss)");
	expect_props_error(2, twice, 1, "'delay' is given twice");
	expect_props_error(1, baddir, 1,
			   "'dir=r1' is not a direction: dir=A>B, e.g. 'dir=r1>r2' "
			   "(quote it in the shell)");
	expect_props_error(1, baddir2, 1,
			   "'dir=>r2' is not a direction: dir=A>B, e.g. 'dir=r1>r2' "
			   "(quote it in the shell)");
	expect_props_error(2, twodirs, 1, "'dir' is given twice");
	expect_props_error(1, onlydir, 1, "nothing to set: give PROP=VALUE");
	expect_props_error(0, NULL, 1, "nothing to set: give PROP=VALUE");
	/* dir is not special for router set */
	expect_props_error(1, onlydir, 0,
			   "unknown property 'dir' (known: bandwidth, delay, loss)");
	expect_props_error(3, toomany, 1, "too many properties (at most 2)");
}

/* args_down_parse() on argv; expect rc, then the names (joined by ' ')
 * and the file, or the error. */
static void expect_down(int argc, char **argv, int rc, const char *names,
			const char *file, const char *msg)
{
	char err[256] = "", got[256] = "";
	const char *f = "unset";
	int n = -1, i;

	assert_int_equal(args_down_parse(argc, argv, &f, &n, err, sizeof(err)), rc);
	if (rc < 0) {
		assert_string_equal(err, msg);
		return;
	}
	for (i = 0; i < n; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", i ? " " : "",
			 argv[i]);
	assert_string_equal(got, names);
	if (file)
		assert_string_equal(f, file);
	else
		assert_null(f);
}

static void test_down(void **state)
{
	char *one[] = { "red" };
	char *three[] = { "red", "blue", "green" };
	char *dup[] = { "red", "blue", "red", "blue", "green" };
	char *f1[] = { "-f", "seed.yaml" };
	char *f2[] = { "--file", "seed.yaml" };
	char *f3[] = { "--file=seed.yaml" };
	char *f4[] = { "-fseed.yaml" };
	char *dash[] = { "-f", "-odd.yaml" };
	char *none[] = { NULL };
	char *fmissing[] = { "-f" };
	char *lmissing[] = { "--file" };
	char *lempty[] = { "--file=" };
	char *twofiles[] = { "-f", "a.yaml", "-f", "b.yaml" };
	char *both[] = { "red", "-f", "seed.yaml" };
	char *both2[] = { "-f", "seed.yaml", "red" };
	char *unknown[] = { "red", "-t", "seed.yaml" };
	char *node[] = { "red", "red/r1" };
	char *badname[] = { "red", "r 1" };

	(void)state;
	expect_down(1, one, 0, "red", NULL, NULL);
	expect_down(3, three, 0, "red blue green", NULL, NULL);
	/* a name given twice is taken down once, in the order first given */
	expect_down(5, dup, 0, "red blue green", NULL, NULL);
	expect_down(2, f1, 0, "", "seed.yaml", NULL);
	expect_down(2, f2, 0, "", "seed.yaml", NULL);
	expect_down(1, f3, 0, "", "seed.yaml", NULL);
	expect_down(1, f4, 0, "", "seed.yaml", NULL);
	/* the word after -f is the file, whatever it looks like */
	expect_down(2, dash, 0, "", "-odd.yaml", NULL);

	expect_down(0, none, -1, NULL, NULL, "missing NET (or -f FILE)");
	expect_down(1, fmissing, -1, NULL, NULL, "-f needs a topology file: -f FILE");
	expect_down(1, lmissing, -1, NULL, NULL, "--file needs a topology file: --file FILE");
	expect_down(1, lempty, -1, NULL, NULL, "--file needs a topology file: --file FILE");
	expect_down(4, twofiles, -1, NULL, NULL, "one topology file at most: -f FILE");
	expect_down(3, both, -1, NULL, NULL, "give networks or -f FILE, not both");
	expect_down(3, both2, -1, NULL, NULL, "give networks or -f FILE, not both");
	expect_down(3, unknown, -1, NULL, NULL, "unknown option '-t'");
	expect_down(2, node, -1, NULL, NULL,
		    "'red/r1' is not a network name (NET, without '/')");
	expect_down(2, badname, -1, NULL, NULL,
		    "bad network name 'r 1' (letters, digits, '_', '.' and '-', at most 31 "
		    "characters)");
}

static void test_count(void **state)
{
	unsigned long n = 0;

	(void)state;
	assert_int_equal(args_count_parse("20", 1000, &n), 0);
	assert_int_equal(n, 20);
	assert_int_equal(args_count_parse("1000", 1000, &n), 0);
	assert_int_equal(args_count_parse("1001", 1000, &n), -1);
	assert_int_equal(args_count_parse("0", 1000, &n), -1);
	assert_int_equal(args_count_parse("-1", 1000, &n), -1);
	assert_int_equal(args_count_parse("+1", 1000, &n), -1);
	assert_int_equal(args_count_parse("1x", 1000, &n), -1);
	assert_int_equal(args_count_parse("", 1000, &n), -1);
	assert_int_equal(args_count_parse(NULL, 1000, &n), -1);
	assert_int_equal(args_count_parse("99999999999999999999999", ~0UL, &n), -1);
}

static void test_path(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(args_path(buf, sizeof(buf), "/v1/nodes", "red/r1", "/logs?lines=5"),
			 0);
	assert_string_equal(buf, "/v1/nodes/red/r1/logs?lines=5");
	assert_int_equal(args_path(buf, sizeof(buf), "/v1/links", "r1-r2", NULL), 0);
	assert_string_equal(buf, "/v1/links/r1-r2");
	assert_int_equal(args_path(buf, sizeof(buf), "/v1/nodes", "r 1?#%", NULL), 0);
	assert_string_equal(buf, "/v1/nodes/r%201%3F%23%25");
	assert_int_equal(args_path(buf, sizeof(buf), "/v1/networks", "caf\xc3\xa9", NULL), 0);
	assert_string_equal(buf, "/v1/networks/caf%C3%A9");
	assert_int_equal(args_path(buf, sizeof(buf), "/v1/status", NULL, NULL), 0);
	assert_string_equal(buf, "/v1/status");
	/* exact fit (13 characters and the NUL) and one byte short */
	assert_int_equal(args_path(buf, 14, "/v1/links", "a-b", NULL), 0);
	assert_string_equal(buf, "/v1/links/a-b");
	assert_int_equal(args_path(buf, 13, "/v1/links", "a-b", NULL), -1);
	assert_int_equal(args_path(buf, 15, "/v1/links", "a b", NULL), -1);
	assert_int_equal(args_path(buf, 16, "/v1/links", "a b", NULL), 0);
	assert_string_equal(buf, "/v1/links/a%20b");
	assert_int_equal(args_path(buf, 17, "/v1/links", "a-b", "/up"), 0);
	assert_int_equal(args_path(buf, 16, "/v1/links", "a-b", "/up"), -1);
	assert_int_equal(args_path(buf, 5, "/v1/links", NULL, NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ref_ok),
		cmocka_unit_test(test_ref_bad),
		cmocka_unit_test(test_props_ok),
		cmocka_unit_test(test_props_bad),
		cmocka_unit_test(test_down),
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
