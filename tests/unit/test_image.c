/*
 * test_image.c - lib/image.c and lib/sha256.c: SHA-256 gives the FIPS 180-4
 * test vectors; an image written and read back has the same kind, name,
 * time and parts; the same input writes the same bytes (and the bytes of the
 * committed example tests/data/image/r1.vnimg, which docs/image-format.md
 * inspects); and every kind of bad file is refused with the one message a
 * user needs: truncated at every byte, each byte damaged, hostile names,
 * huge sizes, unknown keys and types, other versions, wrong magic, trailing
 * garbage, a missing file.
 *
 * VNET_IMAGE_REGEN=1 ./test_image rewrites the committed example and the
 * fuzz seed corpus (fuzz/corpus/image/) from the builders below; without it
 * the test checks that those files still read (or are refused) as listed.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "image.h"
#include "sha256.h"

#define EXAMPLE VNET_TEST_DATA "/image/r1.vnimg"
#define CORPUS VNET_TEST_DATA "/../../fuzz/corpus/image"
#define CREATED "2024-05-01T12:00:00Z"
#define EMPTY_SHA "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
/* The top-level fields of a valid manifest, for crafted ones. */
#define TOP "\"format\": 1, \"kind\": \"router\", \"name\": \"t\", " \
	    "\"created\": \"" CREATED "\", \"vnet_version\": \"0.1.0\""

/* ------------------------------------------------------------------ */
/* Helpers                                                              */

struct tmpdir {
	char path[64];
};

static void tmpdir_make(struct tmpdir *t)
{
	snprintf(t->path, sizeof(t->path), "/tmp/vnet-test-image-XXXXXX");
	assert_non_null(mkdtemp(t->path));
}

static void tmpdir_remove(struct tmpdir *t)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->path);
	assert_int_equal(system(cmd), 0);
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f)
		fail_msg("%s: %s", path, strerror(errno));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void spill(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		fail_msg("%s: %s", path, strerror(errno));
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static uint8_t *write_buf(struct image_writer *w, size_t *len)
{
	struct vnet_err err = { "" };
	void *buf = NULL;

	if (image_writer_write_buf(w, &buf, len, &err))
		fail_msg("write_buf: %s", err.msg);
	return buf;
}

/* buf must be refused with exactly "t.vnimg: " want. */
static void expect_refused_exact(const void *buf, size_t len, const char *want)
{
	struct vnet_err err = { "" };
	struct image *img = image_read_buf(buf, len, "t.vnimg", &err);
	char full[600];

	snprintf(full, sizeof(full), "t.vnimg: %s", want);
	if (img) {
		image_free(img);
		fail_msg("accepted, expected \"%s\"", full);
	}
	if (strcmp(err.msg, full))
		fail_msg("got      \"%s\"\nexpected \"%s\"", err.msg, full);
}

/* buf must be refused with a one-line message starting "t.vnimg: " and
 * containing want. */
static void expect_refused(const void *buf, size_t len, const char *want)
{
	struct vnet_err err = { "" };
	struct image *img = image_read_buf(buf, len, "t.vnimg", &err);

	if (img) {
		image_free(img);
		fail_msg("accepted, expected \"%s\"", want);
	}
	if (strncmp(err.msg, "t.vnimg: ", 9) || !strstr(err.msg, want))
		fail_msg("got \"%s\"\nexpected it to contain \"%s\"", err.msg, want);
	assert_null(strchr(err.msg, '\n'));
}

/*
 * An image around any manifest text, with correct header, manifest and
 * trailer checksums, so that the reader's checks of the manifest itself are
 * reached. parts are the bytes after the manifest.
 */
static uint8_t *craft_v(const char *manifest, const void *parts, size_t plen,
			uint16_t version, uint16_t flags, size_t *len)
{
	size_t mlen = strlen(manifest);
	uint8_t *b = malloc(IMAGE_HEADER_LEN + mlen + plen + IMAGE_TRAILER_LEN);

	assert_non_null(b);
	memcpy(b, IMAGE_MAGIC, 8);
	b[8] = (uint8_t)(version >> 8), b[9] = (uint8_t)version;
	b[10] = (uint8_t)(flags >> 8), b[11] = (uint8_t)flags;
	b[12] = (uint8_t)(mlen >> 24), b[13] = (uint8_t)(mlen >> 16);
	b[14] = (uint8_t)(mlen >> 8), b[15] = (uint8_t)mlen;
	sha256(manifest, mlen, b + 16);
	sha256(b, 48, b + 48);
	memcpy(b + IMAGE_HEADER_LEN, manifest, mlen);
	if (plen)
		memcpy(b + IMAGE_HEADER_LEN + mlen, parts, plen);
	*len = IMAGE_HEADER_LEN + mlen + plen;
	sha256(b, *len, b + *len);
	*len += IMAGE_TRAILER_LEN;
	return b;
}

static uint8_t *craft(const char *manifest, const void *parts, size_t plen, size_t *len)
{
	return craft_v(manifest, parts, plen, IMAGE_FORMAT, 0, len);
}

/* A crafted image with manifest text and no part bytes must be refused
 * with a message containing want. */
static void expect_manifest_refused(const char *manifest, const char *want)
{
	size_t len;
	uint8_t *b = craft(manifest, NULL, 0, &len);

	expect_refused(b, len, want);
	free(b);
}

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	assert_true(vasprintf(&s, fmt, ap) >= 0);
	va_end(ap);
	return s;
}

/* A manifest with one part entry of the given name, size and empty sha. */
static char *one_part(const char *name_json, const char *size)
{
	return xasprintf("{" TOP ", \"parts\": [{\"name\": %s, \"size\": %s, "
			 "\"sha256\": \"" EMPTY_SHA "\"}]}", name_json, size);
}

/* ------------------------------------------------------------------ */
/* The example images (also the committed example and the fuzz seeds)   */

static const char bird_conf[] =
	"# BIRD config of red/r1, written by vnetd\n"
	"router id 10.1.255.1;\n"
	"protocol device {}\n"
	"protocol direct { ipv4; interface \"eth*\"; }\n"
	"protocol kernel { ipv4 { export all; }; graceful restart; }\n"
	"protocol ospf v2 {\n"
	"\tgraceful restart;\n"
	"\tarea 0 { interface \"eth*\" { cost 10; }; };\n"
	"}\n";

static json_t *spec_r1(void)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:[{s:s, s:s, s:[s]}, {s:s, s:s, s:[s]}]}",
			 "network", "red", "name", "r1", "cpu", "50%", "memory", "64M",
			 "interfaces",
			 "name", "eth0", "mac", "02:76:6e:00:01:01", "addresses", "10.1.0.1/30",
			 "name", "eth1", "mac", "02:76:6e:00:01:02", "addresses", "10.1.0.5/30");
}

static json_t *fib_r1(void)
{
	return json_pack("{s:[{s:s, s:s, s:s}, {s:s, s:s, s:s}]}", "routes",
			 "dst", "10.1.0.8/30", "via", "10.1.0.2", "dev", "eth0",
			 "dst", "10.1.1.0/24", "via", "10.1.0.6", "dev", "eth1");
}

static json_t *neigh_r1(void)
{
	return json_pack("{s:[{s:s, s:s, s:s}]}", "neighbours",
			 "ip", "10.1.0.2", "mac", "02:76:6e:00:02:01", "dev", "eth0");
}

/* red/r1: the small router image most tests use. */
static struct image_writer *example_router(void)
{
	struct image_writer *w = image_writer_new("router", "red/r1");
	json_t *j;

	assert_non_null(w);
	assert_int_equal(image_writer_set_created(w, CREATED), 0);
	assert_int_equal(image_writer_add_json(w, "spec.json", j = spec_r1()), 0);
	json_decref(j);
	assert_int_equal(image_writer_add(w, "bird.conf", bird_conf, strlen(bird_conf)), 0);
	assert_int_equal(image_writer_add_json(w, "fib.json", j = fib_r1()), 0);
	json_decref(j);
	assert_int_equal(image_writer_add_json(w, "neighbours.json", j = neigh_r1()), 0);
	json_decref(j);
	return w;
}

static const char *const example_parts[] = {
	"spec.json", "bird.conf", "fib.json", "neighbours.json"
};

static struct image_writer *example_network(void)
{
	struct image_writer *w = image_writer_new("network", "red");
	json_t *j;

	assert_non_null(w);
	assert_int_equal(image_writer_set_created(w, "2024-05-01T12:00:00.25Z"), 0);
	j = json_pack("{s:s, s:s, s:[s]}", "name", "red", "protocol", "ospf",
		      "prefixes", "10.1.0.0/16");
	assert_int_equal(image_writer_add_json(w, "spec.json", j), 0);
	json_decref(j);
	assert_int_equal(image_writer_add(w, "nodes/r1/bird.conf", bird_conf,
					  strlen(bird_conf)), 0);
	assert_int_equal(image_writer_add_json(w, "nodes/r1/fib.json", j = fib_r1()), 0);
	json_decref(j);
	assert_int_equal(image_writer_add(w, "nodes/r2/bird.conf", "router id 10.1.255.2;\n",
					  22), 0);
	j = json_pack("{s:[{s:s, s:[s,s], s:{s:s}}]}", "links", "name", "r1-r2",
		      "ends", "r1", "r2", "forward", "delay", "5ms");
	assert_int_equal(image_writer_add_json(w, "links.json", j), 0);
	json_decref(j);
	assert_int_equal(image_writer_add(w, "notes", NULL, 0), 0);
	return w;
}

static struct image_writer *example_empty(void)
{
	struct image_writer *w = image_writer_new("network", "empty");

	assert_int_equal(image_writer_set_created(w, CREATED), 0);
	return w;
}

static struct image_writer *example_binary(void)
{
	struct image_writer *w = image_writer_new("router", "blue/b1 \xc3\xa9t\xc3\xa9");
	uint8_t all[512];

	for (size_t i = 0; i < sizeof(all); i++)
		all[i] = (uint8_t)(i * 7);
	assert_int_equal(image_writer_set_created(w, "2000-02-29T23:59:60Z"), 0);
	assert_int_equal(image_writer_add(w, "raw/bytes.bin", all, sizeof(all)), 0);
	assert_int_equal(image_writer_add(w, "a.json", "[1, 2, ", 7), 0);	/* broken */
	return w;
}

static uint8_t *build(struct image_writer *(*fn)(void), size_t *len)
{
	struct image_writer *w = fn();
	uint8_t *b = write_buf(w, len);

	image_writer_free(w);
	return b;
}

/* The fuzz seeds: name, bytes, whether the reader accepts them. */
struct seed {
	const char *file;
	int ok;
	uint8_t *(*make)(size_t *len);
};

static uint8_t *seed_router(size_t *len) { return build(example_router, len); }
static uint8_t *seed_network(size_t *len) { return build(example_network, len); }
static uint8_t *seed_empty(size_t *len) { return build(example_empty, len); }
static uint8_t *seed_binary(size_t *len) { return build(example_binary, len); }

static uint8_t *seed_truncated(size_t *len)
{
	uint8_t *b = build(example_router, len);

	*len -= 100;
	return b;
}

static uint8_t *seed_flipped(size_t *len)
{
	uint8_t *b = build(example_router, len);

	b[*len - 50] ^= 0x20;
	return b;
}

static uint8_t *seed_garbage(size_t *len)
{
	uint8_t *b = build(example_router, len), *g = realloc(b, *len + 5);

	assert_non_null(g);
	memcpy(g + *len, "junk\n", 5);
	*len += 5;
	return g;
}

static uint8_t *seed_magic(size_t *len)
{
	uint8_t *b = build(example_router, len);

	memcpy(b, "VNETIMG\r", 8);
	return b;
}

static uint8_t *seed_version(size_t *len)
{
	char *m = xasprintf("{\"format\": 2, \"kind\": \"router\", \"name\": \"t\", "
			    "\"created\": \"" CREATED "\", \"vnet_version\": \"9.0\", "
			    "\"parts\": []}");
	uint8_t *b = craft_v(m, NULL, 0, 2, 0, len);

	free(m);
	return b;
}

static uint8_t *seed_hostile(size_t *len)
{
	char *m = one_part("\"../etc/passwd\"", "0");
	uint8_t *b = craft(m, NULL, 0, len);

	free(m);
	return b;
}

static uint8_t *seed_huge(size_t *len)
{
	char *m = one_part("\"x\"", "9663676416");
	uint8_t *b = craft(m, NULL, 0, len);

	free(m);
	return b;
}

static uint8_t *seed_bad_json(size_t *len)
{
	return craft("{" TOP ",\n \"parts\": [\n  {\"name\": \"a\", \"size\": 0,}\n ]\n}\n",
		     NULL, 0, len);
}

static uint8_t *seed_unknown_key(size_t *len)
{
	return craft("{" TOP ", \"parts\": [], \"compression\": \"zstd\"}", NULL, 0, len);
}

/* Compact manifest, different key order: valid, not what the writer makes. */
static uint8_t *seed_compact(size_t *len)
{
	static const char data[] = "{\"a\":1}";
	char hex[SHA256_HEX_LEN + 1], *m;
	uint8_t d[SHA256_LEN], *b;

	sha256(data, 7, d);
	m = xasprintf("{\"parts\":[{\"sha256\":\"%s\",\"size\":7,\"name\":\"x.json\"}],"
		      "\"vnet_version\":\"0.0.1\",\"created\":\"1999-12-31T23:59:59.999999999Z\","
		      "\"name\":\"n\",\"kind\":\"network\",\"format\":1}",
		      sha256_hex(d, hex));
	b = craft(m, data, 7, len);
	free(m);
	return b;
}

/* jansson quotes the bad token, newline included: the message stays one line. */
static uint8_t *seed_newline_token(size_t *len)
{
	return craft("{\"format\": 1, \"kind\": \"m\\\n\"}\n", NULL, 0, len);
}

static const struct seed seeds[] = {
	{ "01-router.vnimg", 1, seed_router },
	{ "02-network.vnimg", 1, seed_network },
	{ "03-empty.vnimg", 1, seed_empty },
	{ "04-binary.vnimg", 1, seed_binary },
	{ "05-compact.vnimg", 1, seed_compact },
	{ "06-truncated.vnimg", 0, seed_truncated },
	{ "07-flipped.vnimg", 0, seed_flipped },
	{ "08-garbage.vnimg", 0, seed_garbage },
	{ "09-magic.vnimg", 0, seed_magic },
	{ "10-version2.vnimg", 0, seed_version },
	{ "11-hostile-name.vnimg", 0, seed_hostile },
	{ "12-huge-size.vnimg", 0, seed_huge },
	{ "13-bad-json.vnimg", 0, seed_bad_json },
	{ "14-unknown-key.vnimg", 0, seed_unknown_key },
	{ "15-newline-token.vnimg", 0, seed_newline_token },
};

/* ------------------------------------------------------------------ */
/* SHA-256                                                              */

static void expect_sha(const void *data, size_t len, const char *hex)
{
	uint8_t d[SHA256_LEN];
	char got[SHA256_HEX_LEN + 1];

	sha256(data, len, d);
	assert_string_equal(sha256_hex(d, got), hex);
}

static void test_sha256_vectors(void **state)
{
	static const char *const q448 =
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	static const char *const q896 =
		"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
		"ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
	struct sha256 c;
	uint8_t d[SHA256_LEN];
	char hex[SHA256_HEX_LEN + 1];
	char *a = malloc(1000000);

	expect_sha("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	expect_sha("", 0, EMPTY_SHA);
	expect_sha(NULL, 0, EMPTY_SHA);
	expect_sha(q448, strlen(q448),
		   "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	expect_sha(q896, strlen(q896),
		   "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
	assert_non_null(a);
	memset(a, 'a', 1000000);
	expect_sha(a, 1000000,
		   "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	/* The same million, fed in uneven pieces. */
	sha256_init(&c);
	for (size_t off = 0, step = 1; off < 1000000; off += step, step = step * 3 % 997 + 1)
		sha256_update(&c, a + off, off + step > 1000000 ? 1000000 - off : step);
	sha256_final(&c, d);
	assert_string_equal(sha256_hex(d, hex),
			    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(a);
}

/* Every split of messages around the padding boundaries (55, 56, 64 bytes)
 * hashes as the whole. */
static void test_sha256_incremental(void **state)
{
	uint8_t msg[200], whole[SHA256_LEN], part[SHA256_LEN];

	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 31 + 7);
	for (size_t len = 0; len <= sizeof(msg); len++) {
		sha256(msg, len, whole);
		for (size_t cut = 0; cut <= len; cut++) {
			struct sha256 c;

			sha256_init(&c);
			sha256_update(&c, msg, cut);
			sha256_update(&c, msg + cut, len - cut);
			sha256_final(&c, part);
			assert_memory_equal(whole, part, SHA256_LEN);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Writing and reading                                                  */

static void check_example_router(const struct image *img)
{
	size_t len;
	const void *p;
	json_t *j, *want;
	struct vnet_err err = { "" };

	assert_string_equal(image_kind(img), "router");
	assert_string_equal(image_name(img), "red/r1");
	assert_string_equal(image_created(img), CREATED);
	assert_int_equal(image_nparts(img), ARRAY_SIZE(example_parts));
	for (size_t i = 0; i < ARRAY_SIZE(example_parts); i++)
		assert_string_equal(image_part_name(img, i), example_parts[i]);
	assert_null(image_part_name(img, ARRAY_SIZE(example_parts)));
	p = image_part(img, "bird.conf", &len);
	assert_non_null(p);
	assert_int_equal(len, strlen(bird_conf));
	assert_memory_equal(p, bird_conf, len);
	j = image_part_json(img, "spec.json", &err);
	if (!j)
		fail_msg("%s", err.msg);
	want = spec_r1();
	assert_true(json_equal(j, want));
	json_decref(j);
	json_decref(want);
	j = image_part_json(img, "fib.json", &err);
	want = fib_r1();
	assert_true(json_equal(j, want));
	json_decref(j);
	json_decref(want);
}

static void test_round_trip(void **state)
{
	struct tmpdir t;
	struct vnet_err err = { "" };
	struct image_writer *w = example_router();
	struct image *img;
	char path[128], tmp[140];
	uint8_t *file, *mem;
	size_t flen, mlen;
	struct stat st;

	tmpdir_make(&t);
	snprintf(path, sizeof(path), "%s/r1.vnimg", t.path);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (image_writer_write(w, path, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(access(tmp, F_OK), -1);	/* renamed away */

	img = image_read(path, &err);
	if (!img)
		fail_msg("%s", err.msg);
	check_example_router(img);
	assert_string_equal(image_vnet_version(img), VNET_VERSION);
	image_free(img);

	/* The file and the memory form are the same bytes, and read the same. */
	file = slurp(path, &flen);
	mem = write_buf(w, &mlen);
	assert_int_equal(flen, mlen);
	assert_memory_equal(file, mem, flen);
	img = image_read_buf(mem, mlen, "mem", &err);
	free(mem);			/* the image keeps its own copy */
	assert_non_null(img);
	check_example_router(img);
	image_free(img);

	/* Layout: magic, version 1, no flags, manifest length, JSON manifest
	 * starting at 80, trailer = SHA-256 of the rest. */
	{
		uint32_t m = (uint32_t)file[12] << 24 | file[13] << 16 | file[14] << 8 | file[15];
		uint8_t d[SHA256_LEN];

		assert_memory_equal(file, "VNETIMG\n\0\1\0\0", 12);
		assert_true(m > 0 && IMAGE_HEADER_LEN + m < flen);
		assert_memory_equal(file + 80, "{\n \"format\": 1,\n", 16);
		assert_int_equal(file[80 + m - 1], '\n');
		sha256(file, flen - 32, d);
		assert_memory_equal(d, file + flen - 32, 32);
		sha256(file + 80, m, d);
		assert_memory_equal(d, file + 16, 32);
		sha256(file, 48, d);
		assert_memory_equal(d, file + 48, 32);
	}
	free(file);

	/* Overwriting replaces the file; a planted path.tmp symlink is replaced,
	 * never followed. */
	{
		char target[140];
		size_t tlen;
		uint8_t *tb;

		snprintf(target, sizeof(target), "%s/target", t.path);
		spill(target, "keep", 4);
		assert_int_equal(symlink(target, tmp), 0);
		if (image_writer_write(w, path, &err))
			fail_msg("%s", err.msg);
		tb = slurp(target, &tlen);
		assert_int_equal(tlen, 4);
		assert_memory_equal(tb, "keep", 4);
		free(tb);
		img = image_read(path, &err);
		assert_non_null(img);
		image_free(img);
		assert_int_equal(access(tmp, F_OK), -1);
	}
	image_writer_free(w);
	tmpdir_remove(&t);
}

static void test_round_trip_network(void **state)
{
	struct vnet_err err = { "" };
	size_t len, plen;
	uint8_t *b = build(example_network, &len);
	struct image *img = image_read_buf(b, len, "red.vnimg", &err);
	static const char *const names[] = {
		"spec.json", "nodes/r1/bird.conf", "nodes/r1/fib.json",
		"nodes/r2/bird.conf", "links.json", "notes"
	};
	json_t *j;

	if (!img)
		fail_msg("%s", err.msg);
	assert_string_equal(image_kind(img), "network");
	assert_string_equal(image_name(img), "red");
	assert_string_equal(image_created(img), "2024-05-01T12:00:00.25Z");
	assert_int_equal(image_nparts(img), ARRAY_SIZE(names));
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		assert_string_equal(image_part_name(img, i), names[i]);
		assert_non_null(image_part(img, names[i], &plen));
	}
	assert_non_null(image_part(img, "notes", &plen));
	assert_int_equal(plen, 0);
	assert_memory_equal(image_part(img, "nodes/r2/bird.conf", &plen),
			    "router id 10.1.255.2;\n", 22);
	assert_int_equal(plen, 22);
	assert_null(image_part(img, "nodes/r3/bird.conf", &plen));
	assert_null(image_part(img, "nodes", &plen));
	assert_null(image_part(img, NULL, &plen));

	/* JSON parts are written sorted and indented, ending in a newline. */
	{
		const char *s = image_part(img, "spec.json", &plen);
		static const char want[] = "{\n \"name\": \"red\",\n \"prefixes\": [\n  "
					   "\"10.1.0.0/16\"\n ],\n \"protocol\": \"ospf\"\n}\n";

		assert_int_equal(plen, strlen(want));
		assert_memory_equal(s, want, plen);
	}
	j = image_part_json(img, "links.json", &err);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
		json_array_get(json_object_get(j, "links"), 0), "forward"), "delay")), "5ms");
	json_decref(j);

	/* Errors of image_part_json name the image and the part. */
	assert_null(image_part_json(img, "nodes/r9.json", &err));
	assert_string_equal(err.msg, "red.vnimg: the image has no part 'nodes/r9.json'");
	assert_null(image_part_json(img, "nodes/r1/bird.conf", &err));
	assert_string_equal(err.msg, "red.vnimg: part 'nodes/r1/bird.conf' line 1, "
			    "column 1: invalid token near '#'");
	assert_null(image_part_json(img, "notes", &err));
	assert_true(strstr(err.msg, "red.vnimg: part 'notes' line 1, column 0: ") == err.msg);
	image_free(img);
	free(b);
}

/* Same input, same bytes; the order keys were inserted in does not matter;
 * another time or part order gives other bytes. */
static void test_deterministic(void **state)
{
	size_t l1, l2, l3;
	uint8_t *a = build(example_router, &l1), *b = build(example_router, &l2), *c;
	struct image_writer *w;
	json_t *j1 = json_pack("{s:i, s:s, s:{s:b, s:n}}", "z", 1, "a", "x", "m", "q", 1, "b"),
	       *j2 = json_object();

	assert_int_equal(l1, l2);
	assert_memory_equal(a, b, l1);
	free(b);

	/* Two files written by two writers from the same input. */
	{
		struct tmpdir t;
		struct vnet_err err = { "" };
		char p1[128], p2[128];
		uint8_t *f1, *f2;
		size_t n1, n2;

		tmpdir_make(&t);
		snprintf(p1, sizeof(p1), "%s/1.vnimg", t.path);
		snprintf(p2, sizeof(p2), "%s/2.vnimg", t.path);
		w = example_router();
		assert_int_equal(image_writer_write(w, p1, &err), 0);
		image_writer_free(w);
		w = example_router();
		assert_int_equal(image_writer_write(w, p2, &err), 0);
		image_writer_free(w);
		f1 = slurp(p1, &n1);
		f2 = slurp(p2, &n2);
		assert_int_equal(n1, n2);
		assert_memory_equal(f1, f2, n1);
		assert_int_equal(n1, l1);
		assert_memory_equal(f1, a, n1);
		free(f1);
		free(f2);
		tmpdir_remove(&t);
	}

	json_object_set_new(j2, "m", json_pack("{s:n, s:b}", "b", "q", 1));
	json_object_set_new(j2, "a", json_string("x"));
	json_object_set_new(j2, "z", json_integer(1));
	w = image_writer_new("router", "r");
	image_writer_set_created(w, CREATED);
	image_writer_add_json(w, "j", j1);
	free(a);
	a = write_buf(w, &l1);
	image_writer_free(w);
	w = image_writer_new("router", "r");
	image_writer_set_created(w, CREATED);
	image_writer_add_json(w, "j", j2);
	b = write_buf(w, &l2);
	image_writer_set_created(w, "2024-05-01T12:00:01Z");
	c = write_buf(w, &l3);
	image_writer_free(w);
	assert_int_equal(l1, l2);
	assert_memory_equal(a, b, l1);
	assert_int_equal(l2, l3);
	assert_memory_not_equal(b, c, l2);
	json_decref(j1);
	json_decref(j2);
	free(a);
	free(b);
	free(c);
}

/* The committed example is what this code writes (while VNET_VERSION is
 * the one that wrote it), and every later vnet reads it. */
static void test_committed_example(void **state)
{
	struct vnet_err err = { "" };
	size_t glen, len;
	uint8_t *golden, *now = build(example_router, &len);
	struct image *img;

	if (getenv("VNET_IMAGE_REGEN"))
		spill(EXAMPLE, now, len);
	golden = slurp(EXAMPLE, &glen);
	img = image_read(EXAMPLE, &err);
	if (!img)
		fail_msg("%s", err.msg);
	check_example_router(img);
	if (!strcmp(image_vnet_version(img), VNET_VERSION)) {
		if (glen != len || memcmp(golden, now, len))
			fail_msg("%s differs from what this vnet writes: the format "
				 "changed? (VNET_IMAGE_REGEN=1 rewrites it)", EXAMPLE);
	} else {
		print_message("%s was written by vnet %s: byte comparison skipped\n",
			      EXAMPLE, image_vnet_version(img));
	}
	image_free(img);
	free(golden);
	free(now);
}

/* Whether the committed files were written by this VNET_VERSION (the
 * version is part of what the writer writes). */
static int committed_is_current(void)
{
	struct image *img = image_read(EXAMPLE, NULL);
	int cur = img && !strcmp(image_vnet_version(img), VNET_VERSION);

	image_free(img);
	return cur;
}

/* The fuzz seeds read (or are refused) as listed, and are what their
 * builders make (VNET_IMAGE_REGEN=1 writes them). */
static void test_corpus(void **state)
{
	int regen = getenv("VNET_IMAGE_REGEN") != NULL, cur;

	cur = committed_is_current();
	for (size_t i = 0; i < ARRAY_SIZE(seeds); i++) {
		struct vnet_err err = { "" };
		char path[512];
		size_t len, flen;
		uint8_t *b = seeds[i].make(&len), *f;
		struct image *img = image_read_buf(b, len, seeds[i].file, &err);

		if (!img != !seeds[i].ok)
			fail_msg("%s: %s", seeds[i].file, img ? "accepted" : err.msg);
		image_free(img);
		snprintf(path, sizeof(path), "%s/%s", CORPUS, seeds[i].file);
		if (regen)
			spill(path, b, len);
		img = image_read(path, &err);
		if (!img != !seeds[i].ok)
			fail_msg("%s: %s", path, img ? "accepted" : err.msg);
		image_free(img);
		f = slurp(path, &flen);
		if (cur && (flen != len || memcmp(f, b, len)))
			fail_msg("%s is not what its builder makes (VNET_IMAGE_REGEN=1 "
				 "rewrites it)", path);
		free(f);
		free(b);
	}
}

/* ------------------------------------------------------------------ */
/* Refusals                                                             */

/* Cut the example after every byte: each prefix is refused with the
 * truncation message of the region it ends in. */
static void test_truncated_everywhere(void **state)
{
	size_t len;
	uint8_t *b = build(example_router, &len);
	uint32_t m = (uint32_t)b[12] << 24 | b[13] << 16 | b[14] << 8 | b[15];
	char want[300];

	for (size_t k = 0; k < len; k++) {
		uint8_t *cut = malloc(k ? k : 1);	/* exact size: ASan sees overreads */
		size_t off = IMAGE_HEADER_LEN + m, i;

		memcpy(cut, b, k);
		if (k == 0) {
			snprintf(want, sizeof(want), "not a vnet image (empty file)");
		} else if (k < IMAGE_HEADER_LEN) {
			snprintf(want, sizeof(want), "truncated: the header needs 80 bytes, "
				 "file has %zu", k);
		} else if (k < IMAGE_HEADER_LEN + m) {
			snprintf(want, sizeof(want), "truncated: the manifest needs %u bytes "
				 "at offset 80, file has %zu", m, k);
		} else {
			struct image_writer *w = example_router();
			size_t plen;
			uint8_t *again = write_buf(w, &plen);
			struct image *full = image_read_buf(again, plen, "x", NULL);

			for (i = 0; i < image_nparts(full); i++) {
				size_t sz;

				image_part(full, image_part_name(full, i), &sz);
				if (off + sz > k) {
					snprintf(want, sizeof(want), "truncated: part '%s' needs "
						 "%zu bytes at offset %zu, file has %zu",
						 image_part_name(full, i), sz, off, k);
					break;
				}
				off += sz;
			}
			if (i == image_nparts(full))
				snprintf(want, sizeof(want), "truncated: the trailer needs 32 "
					 "bytes at offset %zu, file has %zu", off, k);
			image_free(full);
			free(again);
			image_writer_free(w);
		}
		expect_refused_exact(cut, k, want);
		free(cut);
	}
	free(b);
}

/* Damage every byte three ways: the message names the damaged region. */
static void test_damaged_everywhere(void **state)
{
	static const uint8_t masks[] = { 0x01, 0x80, 0xff };
	size_t len, starts[ARRAY_SIZE(example_parts) + 1];
	uint8_t *b = build(example_router, &len);
	uint32_t m = (uint32_t)b[12] << 24 | b[13] << 16 | b[14] << 8 | b[15];
	struct image *img = image_read_buf(b, len, "x", NULL);
	char want[300];

	assert_non_null(img);
	starts[0] = IMAGE_HEADER_LEN + m;
	for (size_t i = 0; i < ARRAY_SIZE(example_parts); i++) {
		size_t sz;

		image_part(img, example_parts[i], &sz);
		starts[i + 1] = starts[i] + sz;
	}
	assert_int_equal(starts[ARRAY_SIZE(example_parts)] + 32, len);
	for (size_t at = 0; at < len; at++) {
		if (at < 8)
			snprintf(want, sizeof(want), "not a vnet image (bad magic)");
		else if (at < IMAGE_HEADER_LEN)
			snprintf(want, sizeof(want), "header checksum mismatch (damaged file)");
		else if (at < starts[0])
			snprintf(want, sizeof(want), "checksum mismatch in the manifest "
				 "(damaged file)");
		else if (at >= len - 32)
			snprintf(want, sizeof(want), "checksum mismatch in the trailer "
				 "(damaged file)");
		else
			for (size_t i = 0; i < ARRAY_SIZE(example_parts); i++)
				if (at >= starts[i] && at < starts[i + 1])
					snprintf(want, sizeof(want), "checksum mismatch in part "
						 "'%s' (damaged file)", example_parts[i]);
		for (size_t k = 0; k < ARRAY_SIZE(masks); k++) {
			b[at] ^= masks[k];
			expect_refused_exact(b, len, want);
			b[at] ^= masks[k];
		}
	}
	image_free(img);
	free(b);
}

static void test_magic_version_flags(void **state)
{
	size_t len;
	uint8_t *b;
	char m[] = "{" TOP ", \"parts\": []}";

	expect_refused_exact("", 0, "not a vnet image (empty file)");
	expect_refused_exact(NULL, 0, "not a vnet image (empty file)");
	expect_refused_exact("PK\3\4", 4, "not a vnet image (bad magic)");
	expect_refused_exact("{\"format\": 1}", 13, "not a vnet image (bad magic)");
	expect_refused_exact("VNE", 3, "truncated: the header needs 80 bytes, file has 3");
	expect_refused_exact("VNETIMG\n\0\1", 10,
			     "truncated: the header needs 80 bytes, file has 10");

	b = craft_v(m, NULL, 0, 7, 0, &len);
	expect_refused_exact(b, len, "format version 7 is not supported (this vnet reads "
			     "version 1)");
	free(b);
	b = craft_v(m, NULL, 0, 0, 0, &len);
	expect_refused_exact(b, len, "format version 0 is not supported (this vnet reads "
			     "version 1)");
	free(b);
	b = craft_v(m, NULL, 0, 1, 4, &len);
	expect_refused_exact(b, len, "unknown flags 0x0004 in the header (version 1 defines "
			     "none; written by a newer vnet?)");
	free(b);
	/* A version-1 header around a manifest that says 2. */
	b = craft_v("{\"format\": 2, \"kind\": \"router\", \"name\": \"t\", \"created\": \""
		    CREATED "\", \"vnet_version\": \"1\", \"parts\": []}", NULL, 0, 1, 0, &len);
	expect_refused_exact(b, len, "manifest: format 2 does not match the header's "
			     "version 1");
	free(b);
}

static void test_manifest_length(void **state)
{
	size_t len;
	char m[] = "{" TOP ", \"parts\": []}";
	uint8_t *b = craft(m, NULL, 0, &len);
	char want[200];

	b[12] = 0, b[13] = 0x10, b[14] = 0, b[15] = 1;
	sha256(b, 48, b + 48);
	expect_refused_exact(b, len, "the manifest declares 1048577 bytes; the limit is 1 MiB");
	b[13] = 0x01;
	sha256(b, 48, b + 48);
	snprintf(want, sizeof(want), "truncated: the manifest needs 65537 bytes at offset "
		 "80, file has %zu", len);
	expect_refused_exact(b, len, want);
	/* Shorter than the JSON: the checksum in the header no longer fits. */
	b[13] = 0, b[15] = 10;
	sha256(b, 48, b + 48);
	expect_refused_exact(b, len, "checksum mismatch in the manifest (damaged file)");
	free(b);
	/* An empty manifest with a matching checksum is a JSON error. */
	b = craft("", NULL, 0, &len);
	expect_refused(b, len, "t.vnimg: manifest line 1, column 0: ");
	free(b);
}

static void test_trailing_garbage(void **state)
{
	size_t len;
	uint8_t *b = build(example_router, &len), *g = realloc(b, len + 100);
	char want[200];

	assert_non_null(g);
	memset(g + len, 0, 100);
	snprintf(want, sizeof(want), "1 bytes of trailing garbage after the trailer "
		 "(the image ends at offset %zu)", len);
	expect_refused_exact(g, len + 1, want);
	snprintf(want, sizeof(want), "100 bytes of trailing garbage after the trailer "
		 "(the image ends at offset %zu)", len);
	expect_refused_exact(g, len + 100, want);
	/* Two images back to back are not one image. */
	memcpy(g + len, g, 100);
	expect_refused(g, len + 100, "trailing garbage");
	free(g);
}

static void test_manifest_syntax(void **state)
{
	expect_manifest_refused("{" TOP ",\n \"parts\": [\n  {\"name\": \"a\", \"size\": 0,}\n ]\n}\n",
				"t.vnimg: manifest line 3, column 27: string or '}' expected near '}'");
	expect_manifest_refused("{" TOP ", \"parts\": []}\nx", "manifest line 2, column 1: ");
	expect_manifest_refused("{" TOP ", \"parts\": [], \"kind\": \"network\"}",
				"manifest line 1, column ");
	expect_manifest_refused("{" TOP ", \"parts\": []}{}", "manifest line 1, column ");
	expect_manifest_refused("[]", "manifest: the top level must be an object, not an array");
	expect_manifest_refused("{" TOP ", \"parts\": [], \"x\": \"\\u0000\"}",
				"manifest line 1, column");
	expect_manifest_refused("{\"format\": 1, \"kind\": \"m\\\n\"}\n",
				"manifest line 2, column 0: invalid escape near '\"m\\x5c\\x0a'");
	/* Bytes that are not UTF-8. */
	expect_manifest_refused("{\"format\": 1, \"kind\": \"router\", \"name\": \"\xff\"}",
				"manifest line 1, column");
}

static void test_manifest_keys_and_types(void **state)
{
	expect_manifest_refused("{" TOP ", \"parts\": [], \"compression\": \"zstd\"}",
				"t.vnimg: manifest: unknown key 'compression' at the top level");
	expect_manifest_refused("{\"format\": 1, \"kind\": \"router\", \"name\": \"t\", "
				"\"created\": \"" CREATED "\", \"parts\": []}",
				"manifest: the top level lacks the key 'vnet_version'");
	expect_manifest_refused("{\"format\": \"1\", \"kind\": \"router\", \"name\": \"t\", "
				"\"created\": \"" CREATED "\", \"vnet_version\": \"1\", "
				"\"parts\": []}",
				"manifest: format must be an integer, not a string");
	expect_manifest_refused("{\"format\": 1.0, \"kind\": \"router\", \"name\": \"t\", "
				"\"created\": \"" CREATED "\", \"vnet_version\": \"1\", "
				"\"parts\": []}",
				"manifest: format must be an integer, not a real number");
	expect_manifest_refused("{\"format\": 1, \"kind\": null, \"name\": \"t\", "
				"\"created\": \"" CREATED "\", \"vnet_version\": \"1\", "
				"\"parts\": []}",
				"manifest: kind must be a string, not null");
	expect_manifest_refused("{" TOP ", \"parts\": {}}",
				"manifest: parts must be an array, not an object");
	expect_manifest_refused("{" TOP ", \"parts\": [\"spec.json\"]}",
				"manifest: parts[0] must be an object, not a string");
	expect_manifest_refused("{" TOP ", \"parts\": [{\"name\": \"a\", \"size\": 0, "
				"\"sha256\": \"" EMPTY_SHA "\", \"mode\": 420}]}",
				"manifest: unknown key 'mode' in parts[0]");
	expect_manifest_refused("{" TOP ", \"parts\": [{\"name\": \"a\", \"size\": 0}]}",
				"manifest: parts[0] lacks the key 'sha256'");
	expect_manifest_refused("{" TOP ", \"parts\": [{\"name\": \"a\", \"size\": \"0\", "
				"\"sha256\": \"" EMPTY_SHA "\"}]}",
				"manifest: parts[0].size must be an integer, not a string");
	expect_manifest_refused("{" TOP ", \"parts\": [{\"name\": \"a\", \"size\": 1e3, "
				"\"sha256\": \"" EMPTY_SHA "\"}]}",
				"manifest: parts[0].size must be an integer, not a real number");
	expect_manifest_refused("{" TOP ", \"parts\": [{\"name\": 5, \"size\": 0, "
				"\"sha256\": \"" EMPTY_SHA "\"}]}",
				"manifest: parts[0].name must be a string, not an integer");
	expect_manifest_refused("{" TOP ", \"parts\": [{\"name\": \"a\", \"size\": 0, "
				"\"sha256\": \"E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855\"}]}",
				"part 'a': sha256 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852...' "
				"is not 64 lower-case hex digits");
	expect_manifest_refused("{" TOP ", \"parts\": [{\"name\": \"a\", \"size\": 0, "
				"\"sha256\": \"abc\"}]}", "sha256 'abc' is not 64");
}

static void test_manifest_values(void **state)
{
	static const char *const bad_created[] = {
		"2024-02-30T00:00:00Z", "2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z",
		"2024-05-01 12:00:00Z", "2024-05-01T12:00:00", "2024-05-01T12:00:00+02:00",
		"2024-05-01t12:00:00z", "2024-13-01T00:00:00Z", "2024-05-01T24:00:00Z",
		"2024-05-01T12:60:00Z", "2024-05-01T12:00:61Z", "2024-05-01T12:00:00.Z",
		"2024-05-01T12:00:00.1234567890Z", "yesterday", "", "24-05-01T12:00:00Z",
		"2024-05-01T12:00:00Zjunk",
	};
	static const char *const good_created[] = {
		"2000-02-29T23:59:60Z", "2024-12-31T23:59:59.999999999Z", "0000-01-01T00:00:00Z",
	};
	char *m;

	for (size_t i = 0; i < ARRAY_SIZE(bad_created); i++) {
		char want[200];

		m = xasprintf("{\"format\": 1, \"kind\": \"router\", \"name\": \"t\", "
			      "\"created\": \"%s\", \"vnet_version\": \"1\", \"parts\": []}",
			      bad_created[i]);
		snprintf(want, sizeof(want), "t.vnimg: manifest: created '%s' is not an RFC "
			 "3339 UTC time such as 2024-05-01T12:00:00Z", bad_created[i]);
		expect_manifest_refused(m, want);
		free(m);
	}
	for (size_t i = 0; i < ARRAY_SIZE(good_created); i++) {
		struct vnet_err err = { "" };
		struct image *img;
		size_t len;
		uint8_t *b;

		m = xasprintf("{\"format\": 1, \"kind\": \"router\", \"name\": \"t\", "
			      "\"created\": \"%s\", \"vnet_version\": \"1\", \"parts\": []}",
			      good_created[i]);
		b = craft(m, NULL, 0, &len);
		img = image_read_buf(b, len, "t", &err);
		if (!img)
			fail_msg("%s: %s", good_created[i], err.msg);
		assert_string_equal(image_created(img), good_created[i]);
		assert_int_equal(image_nparts(img), 0);
		image_free(img);
		free(b);
		free(m);
	}
	expect_manifest_refused("{\"format\": 1, \"kind\": \"vm\", \"name\": \"t\", \"created\": \""
				CREATED "\", \"vnet_version\": \"1\", \"parts\": []}",
				"manifest: kind 'vm' is not known (expected 'router' or 'network')");
	expect_manifest_refused("{\"format\": 1, \"kind\": \"router\", \"name\": \"\", \"created\": \""
				CREATED "\", \"vnet_version\": \"1\", \"parts\": []}",
				"manifest: name '' is not allowed (1 to 200 bytes, no control characters)");
	expect_manifest_refused("{\"format\": 1, \"kind\": \"router\", \"name\": \"a\\nb\", "
				"\"created\": \"" CREATED "\", \"vnet_version\": \"1\", \"parts\": []}",
				"manifest: name 'a\\x0ab' is not allowed");
	expect_manifest_refused("{\"format\": 1, \"kind\": \"router\", \"name\": \"t\", \"created\": \""
				CREATED "\", \"vnet_version\": \"\", \"parts\": []}",
				"manifest: vnet_version '' is not allowed");
	expect_manifest_refused("{\"format\": 1, \"kind\": \"router\", \"name\": \"t\", \"created\": \""
				CREATED "\", \"vnet_version\": \"1 2\", \"parts\": []}",
				"manifest: vnet_version '1 2' is not allowed");
	m = xasprintf("{\"format\": 1, \"kind\": \"router\", \"name\": \"%0201d\", \"created\": \""
		      CREATED "\", \"vnet_version\": \"1\", \"parts\": []}", 0);
	expect_manifest_refused(m, "manifest: name '000000000000000000000000000000000000000"
				"000000000000000000000...' is not allowed");
	free(m);
}

static void test_hostile_names(void **state)
{
	static const struct {
		const char *json, *shown;
	} bad[] = {
		{ "\"../etc/passwd\"", "../etc/passwd" },
		{ "\"/etc/passwd\"", "/etc/passwd" },
		{ "\"a/../../b\"", "a/../../b" },
		{ "\"a/..\"", "a/.." },
		{ "\"..\"", ".." },
		{ "\".\"", "." },
		{ "\"a/./b\"", "a/./b" },
		{ "\"a//b\"", "a//b" },
		{ "\"a/\"", "a/" },
		{ "\"\"", "" },
		{ "\"a b\"", "a b" },
		{ "\"a\\nb\"", "a\\x0ab" },
		{ "\"a\\u001b[31m\"", "a\\x1b[31m" },
		{ "\"a\\\\b\"", "a\\x5cb" },
		{ "\"C:x\"", "C:x" },
		{ "\"\\u00e9t\\u00e9\"", "\\xc3\\xa9t\\xc3\\xa9" },
		{ "\"a\\u007f\"", "a\\x7f" },
		{ "\"*\"", "*" },
	};
	char *m, want[300];

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		m = one_part(bad[i].json, "0");
		snprintf(want, sizeof(want), "t.vnimg: part name '%s' is not allowed (names are "
			 "relative paths of letters, digits, '.', '_' and '-' separated by "
			 "'/', without '..', '//', or control characters)", bad[i].shown);
		expect_manifest_refused(m, want);
		free(m);
	}
	/* Too long; exactly the limit is fine (then the missing bytes count). */
	{
		char name[300];

		memset(name, 'n', 202);
		name[0] = '"', name[202] = '"', name[203] = '\0';	/* 201 n */
		m = one_part(name, "0");
		expect_manifest_refused(m, "part name 'nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"
					"nnnnnnnnnnnnnnnnnnnn...' is 201 bytes long; the limit is 200");
		free(m);
		name[201] = '"', name[202] = '\0';
		m = one_part(name, "100");
		expect_manifest_refused(m, "truncated: part 'nnnnn");
		free(m);
	}
	/* Names that are fine. */
	{
		static const char *const good[] = {
			"spec.json", "nodes/r2.json", "a-b_c.d/e/F9", ".hidden", "a/...", "..a",
			"a..", "-",
		};

		for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
			char q[64];

			snprintf(q, sizeof(q), "\"%s\"", good[i]);
			m = one_part(q, "100");
			expect_manifest_refused(m, "truncated: part '");	/* name passed */
			free(m);
			assert_true(image_part_name_valid(good[i]));
		}
	}
	/* Duplicates. */
	expect_manifest_refused("{" TOP ", \"parts\": ["
				"{\"name\": \"a\", \"size\": 0, \"sha256\": \"" EMPTY_SHA "\"}, "
				"{\"name\": \"b\", \"size\": 0, \"sha256\": \"" EMPTY_SHA "\"}, "
				"{\"name\": \"a\", \"size\": 0, \"sha256\": \"" EMPTY_SHA "\"}]}",
				"t.vnimg: duplicate part name 'a' (parts[0] and parts[2])");
	assert_false(image_part_name_valid(NULL));
}

static void test_huge_sizes(void **state)
{
	char *m;

	m = one_part("\"x\"", "9663676416");
	expect_manifest_refused(m, "t.vnimg: part 'x' declares 9663676416 bytes (9.0 GiB); "
				"the limit is 256 MiB");
	free(m);
	m = one_part("\"x\"", "9223372036854775807");
	expect_manifest_refused(m, "part 'x' declares 9223372036854775807 bytes (8.0 EiB); "
				"the limit is 256 MiB");
	free(m);
	m = one_part("\"x\"", "268435457");
	expect_manifest_refused(m, "part 'x' declares 268435457 bytes (256.0 MiB); "
				"the limit is 256 MiB");
	free(m);
	m = one_part("\"x\"", "18446744073709551616");	/* beyond any integer */
	expect_manifest_refused(m, "manifest line 1, column");
	free(m);
	m = one_part("\"x\"", "-1");
	expect_manifest_refused(m, "part 'x' declares -1 bytes; a size is 0 or more");
	free(m);
	/* 256 MiB is allowed: the file is then simply too short. */
	m = one_part("\"x\"", "268435456");
	expect_manifest_refused(m, "truncated: part 'x' needs 268435456 bytes at offset ");
	free(m);
	/* Five parts of 256 MiB are more than 1 GiB together. */
	{
		char entries[2000] = "";

		for (int i = 0; i < 5; i++) {
			char e[200];

			snprintf(e, sizeof(e), "%s{\"name\": \"p%d\", \"size\": 268435456, "
				 "\"sha256\": \"" EMPTY_SHA "\"}", i ? ", " : "", i);
			strcat(entries, e);
		}
		m = xasprintf("{" TOP ", \"parts\": [%s]}", entries);
		expect_manifest_refused(m, "t.vnimg: parts up to 'p4' declare 1342177280 bytes "
					"(1.2 GiB) together; the limit is 1 GiB");
		free(m);
	}
}

/* 10000 parts read (and are found by name); 10001 are refused. */
static void test_many_parts(void **state)
{
	size_t cap = 1100000, n = 0, len, plen;
	char *m = malloc(cap);
	struct vnet_err err = { "" };
	struct image *img;
	uint8_t *b;

	assert_non_null(m);
	n += (size_t)snprintf(m + n, cap - n, "{" TOP ",\"parts\":[");
	for (int i = 0; i < IMAGE_PARTS_MAX; i++)
		n += (size_t)snprintf(m + n, cap - n, "%s{\"name\":\"p%04d\",\"size\":0,"
				      "\"sha256\":\"" EMPTY_SHA "\"}", i ? "," : "", i);
	snprintf(m + n, cap - n, "]}");
	assert_true(strlen(m) <= IMAGE_MANIFEST_MAX);
	b = craft(m, NULL, 0, &len);
	img = image_read_buf(b, len, "many", &err);
	if (!img)
		fail_msg("%s", err.msg);
	assert_int_equal(image_nparts(img), IMAGE_PARTS_MAX);
	assert_non_null(image_part(img, "p0000", &plen));
	assert_non_null(image_part(img, "p9999", &plen));
	assert_non_null(image_part(img, "p4711", &plen));
	assert_null(image_part(img, "p10000", &plen));
	assert_string_equal(image_part_name(img, 4711), "p4711");
	image_free(img);
	free(b);
	snprintf(m + n, cap - n, ",{}]}");
	expect_manifest_refused(m, "t.vnimg: manifest lists 10001 parts; the limit is 10000");
	free(m);
}

/* A crafted image in another but valid manifest form reads; an image made
 * by hand whose part bytes do not match is refused. */
static void test_crafted_valid(void **state)
{
	struct vnet_err err = { "" };
	size_t len, plen;
	uint8_t *b = seed_compact(&len);
	struct image *img = image_read_buf(b, len, "c", &err);
	json_t *j;

	if (!img)
		fail_msg("%s", err.msg);
	assert_string_equal(image_kind(img), "network");
	assert_string_equal(image_vnet_version(img), "0.0.1");
	j = image_part_json(img, "x.json", &err);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "a")), 1);
	json_decref(j);
	assert_non_null(image_part(img, "x.json", &plen));
	assert_int_equal(plen, 7);
	image_free(img);
	free(b);

	/* Right manifest, wrong bytes (trailer recomputed): the part says so. */
	b = craft("{" TOP ", \"parts\": [{\"name\": \"x.json\", \"size\": 2, \"sha256\": \""
		  EMPTY_SHA "\"}]}", "{}", 2, &len);
	expect_refused_exact(b, len, "checksum mismatch in part 'x.json' (damaged file)");
	free(b);
}

static void test_read_file_errors(void **state)
{
	struct tmpdir t;
	struct vnet_err err = { "" };
	char path[128];

	assert_null(image_read("/nonexistent/vnet/r2.vnimg", &err));
	assert_string_equal(err.msg, "/nonexistent/vnet/r2.vnimg: cannot open: "
			    "No such file or directory");
	tmpdir_make(&t);
	assert_null(image_read(t.path, &err));
	assert_true(strstr(err.msg, ": not a regular file") != NULL);
	assert_true(strncmp(err.msg, t.path, strlen(t.path)) == 0);
	snprintf(path, sizeof(path), "%s/r2.vnimg", t.path);
	spill(path, "hello\n", 6);
	assert_null(image_read(path, &err));
	assert_true(strstr(err.msg, "r2.vnimg: not a vnet image (bad magic)") != NULL);
	spill(path, "", 0);
	assert_null(image_read(path, &err));
	assert_true(strstr(err.msg, "r2.vnimg: not a vnet image (empty file)") != NULL);
	assert_null(image_read(path, NULL));	/* err may be NULL */
	tmpdir_remove(&t);
}

/* ------------------------------------------------------------------ */
/* Writer refusals                                                      */

static void expect_write_refused(struct image_writer *w, const char *want)
{
	struct vnet_err err = { "" };
	void *buf = (void *)0x1;
	size_t len;

	assert_int_equal(image_writer_write_buf(w, &buf, &len, &err), -1);
	if (strcmp(err.msg, want))
		fail_msg("got      \"%s\"\nexpected \"%s\"", err.msg, want);
	assert_ptr_equal(buf, (void *)0x1);
}

static void test_writer_refusals(void **state)
{
	struct image_writer *w;
	struct tmpdir t;
	struct vnet_err err = { "" };
	char path[128];
	static const char small[4] = "abc";

	w = image_writer_new("vm", "r1");
	expect_write_refused(w, "image: image kind 'vm' is not known (expected 'router' "
			     "or 'network')");
	image_writer_free(w);
	w = image_writer_new(NULL, "r1");
	expect_write_refused(w, "image: image kind '(null)' is not known (expected "
			     "'router' or 'network')");
	image_writer_free(w);
	w = image_writer_new("router", "bad\tname");
	expect_write_refused(w, "image: image name 'bad\\x09name' is not allowed (1 to 200 "
			     "bytes, no control characters)");
	image_writer_free(w);
	w = image_writer_new("router", "\xff\xfe");
	expect_write_refused(w, "image: image name '\\xff\\xfe' is not valid UTF-8");
	image_writer_free(w);
	w = image_writer_new("router", NULL);
	expect_write_refused(w, "image: image name '' is not allowed (1 to 200 bytes, no "
			     "control characters)");
	image_writer_free(w);

	/* The first mistake is the one reported; later calls still check. */
	w = image_writer_new("router", "r1");
	assert_int_equal(image_writer_add(w, "../etc/passwd", small, 3), -EINVAL);
	assert_int_equal(image_writer_add(w, "ok", small, 3), 0);
	assert_int_equal(image_writer_add(w, "ok", small, 3), -EINVAL);
	assert_int_equal(image_writer_set_created(w, "now"), -EINVAL);
	expect_write_refused(w, "image: part name '../etc/passwd' is not allowed (names are "
			     "relative paths of letters, digits, '.', '_' and '-' separated "
			     "by '/', without '..', '//', or control characters)");
	tmpdir_make(&t);
	snprintf(path, sizeof(path), "%s/r1.vnimg", t.path);
	assert_int_equal(image_writer_write(w, path, &err), -1);
	assert_true(strncmp(err.msg, path, strlen(path)) == 0);
	assert_true(strstr(err.msg, ": part name '../etc/passwd' is not allowed") != NULL);
	assert_int_equal(access(path, F_OK), -1);
	image_writer_free(w);

	w = image_writer_new("router", "r1");
	assert_int_equal(image_writer_add(w, "a", small, 3), 0);
	assert_int_equal(image_writer_add(w, "a", small, 3), -EINVAL);
	expect_write_refused(w, "image: duplicate part name 'a'");
	image_writer_free(w);

	w = image_writer_new("router", "r1");
	assert_int_equal(image_writer_set_created(w, "2024-05-01T12:00:00+02:00"), -EINVAL);
	expect_write_refused(w, "image: created time '2024-05-01T12:00:00+02:00' is not an "
			     "RFC 3339 UTC time such as 2024-05-01T12:00:00Z");
	image_writer_free(w);

	/* Limits are checked before any byte is touched: small is 4 bytes. */
	w = image_writer_new("router", "r1");
	assert_int_equal(image_writer_add(w, "big", small, (size_t)IMAGE_PART_MAX + 1), -EFBIG);
	expect_write_refused(w, "image: part 'big' is 268435457 bytes (256.0 MiB); the "
			     "limit is 256 MiB");
	image_writer_free(w);

	w = image_writer_new("router", "r1");
	assert_int_equal(image_writer_add(w, "x", NULL, 1), -EINVAL);
	assert_int_equal(image_writer_add_json(w, "y", NULL), -EINVAL);
	assert_int_equal(image_writer_add(w, NULL, small, 1), -EINVAL);
	expect_write_refused(w, "image: part 'x' has no data");
	image_writer_free(w);

	w = image_writer_new("router", "r1");
	for (int i = 0; i < IMAGE_PARTS_MAX; i++) {
		char name[16];

		snprintf(name, sizeof(name), "%d", i);
		assert_int_equal(image_writer_add(w, name, NULL, 0), 0);
	}
	assert_int_equal(image_writer_add(w, "last", NULL, 0), -EFBIG);
	expect_write_refused(w, "image: part 'last' is one too many; the limit is 10000 parts");
	image_writer_free(w);

	/* The manifest limit: long names, many parts. */
	w = image_writer_new("router", "r1");
	for (int i = 0; i < 4000; i++) {
		char name[IMAGE_PART_NAME_MAX + 1];

		memset(name, 'x', IMAGE_PART_NAME_MAX);
		snprintf(name, sizeof(name), "%05d", i);
		name[5] = 'x';
		name[IMAGE_PART_NAME_MAX] = '\0';
		assert_int_equal(image_writer_add(w, name, NULL, 0), 0);
	}
	{
		void *buf = NULL;
		size_t len;

		assert_int_equal(image_writer_write_buf(w, &buf, &len, &err), -1);
		assert_true(strstr(err.msg, "image: the manifest would be ") == err.msg);
		assert_true(strstr(err.msg, "; the limit is 1 MiB (fewer parts or shorter names)"));
	}
	image_writer_free(w);

	/* A directory that does not exist: nothing is created. */
	w = example_router();
	snprintf(path, sizeof(path), "%s/no/r1.vnimg", t.path);
	assert_int_equal(image_writer_write(w, path, &err), -1);
	{
		char want[2 * sizeof(path) + 64];

		snprintf(want, sizeof(want), "%s: cannot create %s.tmp: No such file or "
			 "directory", path, path);
		assert_string_equal(err.msg, want);
	}
	image_writer_free(w);
	tmpdir_remove(&t);

	image_writer_free(NULL);
	image_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_sha256_incremental),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_round_trip_network),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_committed_example),
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_truncated_everywhere),
		cmocka_unit_test(test_damaged_everywhere),
		cmocka_unit_test(test_magic_version_flags),
		cmocka_unit_test(test_manifest_length),
		cmocka_unit_test(test_trailing_garbage),
		cmocka_unit_test(test_manifest_syntax),
		cmocka_unit_test(test_manifest_keys_and_types),
		cmocka_unit_test(test_manifest_values),
		cmocka_unit_test(test_hostile_names),
		cmocka_unit_test(test_huge_sizes),
		cmocka_unit_test(test_many_parts),
		cmocka_unit_test(test_crafted_valid),
		cmocka_unit_test(test_read_file_errors),
		cmocka_unit_test(test_writer_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
