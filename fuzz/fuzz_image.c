/*
 * fuzz_image.c - libFuzzer target for the image reader (lib/image.c).
 *
 * Every input is read with image_read_buf(). A refusal must be a non-empty
 * one-line message. An accepted image must be consistent: every part is
 * found by its name with a length that fits in the input, .json parts parse
 * or give an error, and writing the image again (kind, name, created time,
 * parts) gives an image that reads back with the same parts. Any crash,
 * leak, sanitizer report or abort() here is a bug in the reader or writer.
 *
 * This target is compiled with FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION, so
 * the reader ignores checksum mismatches (a fuzzer cannot forge SHA-256) and
 * the mutations reach the manifest checks; tests/unit/test_image.c checks
 * the checksums. The seed corpus fuzz/corpus/image/ is written by
 * VNET_IMAGE_REGEN=1 build/bin/test_image.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !memcmp(s + n - m, suffix, m);
}

/* Write img again and read it back: the writer must accept everything the
 * reader accepts, and keep it. */
static void rewrite(const struct image *img)
{
	struct image_writer *w = image_writer_new(image_kind(img), image_name(img));
	struct vnet_err err;
	struct image *back;
	void *buf;
	size_t len;

	if (!w)
		return;		/* out of memory */
	if (image_writer_set_created(w, image_created(img)))
		abort();
	for (size_t i = 0; i < image_nparts(img); i++) {
		const char *name = image_part_name(img, i);
		size_t n;
		const void *p = image_part(img, name, &n);

		if (image_writer_add(w, name, p, n))
			abort();
	}
	if (image_writer_write_buf(w, &buf, &len, &err)) {
		/* The only limit the writer adds: its manifest layout is roomier. */
		if (!strstr(err.msg, "the manifest would be"))
			abort();
		image_writer_free(w);
		return;
	}
	image_writer_free(w);
	back = image_read_buf(buf, len, "rewritten", &err);
	if (!back || image_nparts(back) != image_nparts(img) ||
	    strcmp(image_kind(back), image_kind(img)) ||
	    strcmp(image_name(back), image_name(img)) ||
	    strcmp(image_created(back), image_created(img)))
		abort();
	for (size_t i = 0; i < image_nparts(img); i++) {
		size_t n1, n2;
		const void *p1 = image_part(img, image_part_name(img, i), &n1);
		const void *p2 = image_part(back, image_part_name(img, i), &n2);

		if (strcmp(image_part_name(back, i), image_part_name(img, i)) ||
		    !p2 || n1 != n2 || memcmp(p1, p2, n1))
			abort();
	}
	image_free(back);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vnet_err err;
	struct image *img;
	size_t total = 0;

	err.msg[0] = '\0';
	img = image_read_buf(data, size, "fuzz.vnimg", &err);
	if (!img) {
		if (!err.msg[0] || strchr(err.msg, '\n'))
			abort();
		return 0;
	}
	if (!image_kind(img) || !image_name(img) || !image_created(img) ||
	    !image_vnet_version(img) || image_part_name(img, image_nparts(img)))
		abort();
	for (size_t i = 0; i < image_nparts(img); i++) {
		const char *name = image_part_name(img, i);
		const void *p;
		size_t n = (size_t)-1;

		if (!name || !image_part_name_valid(name))
			abort();
		p = image_part(img, name, &n);
		if (!p || n > size)
			abort();
		total += n;
		if (ends_with(name, ".json")) {
			json_t *j;

			err.msg[0] = '\0';
			j = image_part_json(img, name, &err);
			if (!j && (!err.msg[0] || strchr(err.msg, '\n')))
				abort();
			json_decref(j);
		}
	}
	if (total > size)
		abort();
	rewrite(img);
	image_free(img);
	return 0;
}
