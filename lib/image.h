/*
 * image.h - the vnet image container: one file holding the named parts that
 * bring a router or a whole virtual network back (save/restore/copy). The
 * daemon decides what the parts are; this module writes them with a JSON
 * manifest and SHA-256 checksums, and reads them back only when every byte
 * checks out. The byte layout, limits and errors are documented for users in
 * docs/image-format.md.
 *
 *   file = header (80 bytes) | manifest (JSON) | part 0 | part 1 | ... | trailer
 *
 * Writing is deterministic: the same kind, name, created time and parts in
 * the same order give a byte-identical file. Reading validates everything
 * (layout, limits, names, manifest keys and types, every checksum) before
 * returning; a refused image leaves nothing allocated and the error says what
 * is wrong and where ("r2.vnimg: checksum mismatch in part 'spec.json'
 * (damaged file)").
 */
#ifndef VNET_IMAGE_H
#define VNET_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "vnet.h"

#define IMAGE_MAGIC "VNETIMG\n"		/* 8 bytes, no NUL in the file */
#define IMAGE_MAGIC_LEN 8
#define IMAGE_FORMAT 1			/* the format version this code writes and reads */
#define IMAGE_HEADER_LEN 80
#define IMAGE_TRAILER_LEN 32

#define IMAGE_MANIFEST_MAX (1u << 20)		/* 1 MiB */
#define IMAGE_PART_MAX ((uint64_t)256 << 20)	/* 256 MiB per part */
#define IMAGE_TOTAL_MAX ((uint64_t)1 << 30)	/* 1 GiB: all parts together */
#define IMAGE_PARTS_MAX 10000
#define IMAGE_PART_NAME_MAX 200		/* bytes, without the NUL */
#define IMAGE_NAME_MAX 200		/* the image's "name", bytes */

/* The largest file any valid image can be. */
#define IMAGE_FILE_MAX ((uint64_t)IMAGE_HEADER_LEN + IMAGE_MANIFEST_MAX + \
			IMAGE_TOTAL_MAX + IMAGE_TRAILER_LEN)

/*
 * Writer. Parts are copied when added and written in the order they were
 * added. A mistake (bad kind, name, part name, created time, duplicate, limit)
 * makes the call return a negative errno and is remembered: the write then
 * fails with that message, so a caller may check only the final write.
 */
struct image_writer;

/* kind is "router" or "network"; name is 1..IMAGE_NAME_MAX bytes of UTF-8
 * without control characters. NULL only when out of memory. */
struct image_writer *image_writer_new(const char *kind, const char *name);
/* A part; the name is a relative path (see image_part_name_valid). 0,
 * -EINVAL (bad or duplicate name), -EFBIG (a limit), -ENOMEM. */
int image_writer_add(struct image_writer *w, const char *part_name,
		     const void *data, size_t len);
/* A part holding j serialized with JSON_SORT_KEYS | JSON_INDENT(1) and a
 * final newline. Returns like image_writer_add. */
int image_writer_add_json(struct image_writer *w, const char *part_name,
			  const json_t *j);
/* The "created" time, an RFC 3339 UTC time such as "2024-05-01T12:00:00Z"
 * (default: the time of image_writer_new, to the second). 0 or -EINVAL. */
int image_writer_set_created(struct image_writer *w, const char *rfc3339);
/* Write the image to path.tmp, fsync it, rename it to path and fsync the
 * directory: path holds either its old content or the whole new image. The
 * file is created mode 0600 (images may hold routing secrets). 0 or -1. */
int image_writer_write(struct image_writer *w, const char *path,
		       struct vnet_err *err);
/* The same bytes in memory (*out is malloc'ed, the caller frees it): for
 * sending an image over the API. 0 or -1. */
int image_writer_write_buf(struct image_writer *w, void **out, size_t *len,
			   struct vnet_err *err);
void image_writer_free(struct image_writer *w);

/*
 * Reader. An image keeps its own copy of the bytes; every pointer it returns
 * stays valid until image_free(). name labels the errors (a file name);
 * image_read uses the path.
 */
struct image;

struct image *image_read(const char *path, struct vnet_err *err);
struct image *image_read_buf(const void *buf, size_t len, const char *name,
			     struct vnet_err *err);

const char *image_kind(const struct image *img);	/* "router" or "network" */
const char *image_name(const struct image *img);
const char *image_created(const struct image *img);	/* RFC 3339 UTC */
const char *image_vnet_version(const struct image *img);	/* of the writer */
size_t image_nparts(const struct image *img);
/* The i-th part's name in file order; NULL when i >= image_nparts(). */
const char *image_part_name(const struct image *img, size_t i);
/* A part's bytes and length, or NULL when the image has no such part. */
const void *image_part(const struct image *img, const char *name, size_t *len);
/* A part parsed as JSON (new reference), or NULL with an error naming the
 * image, the part, and the line and column of a syntax error. */
json_t *image_part_json(const struct image *img, const char *name,
			struct vnet_err *err);
void image_free(struct image *img);

/* The part name rule: 1..IMAGE_PART_NAME_MAX bytes of [A-Za-z0-9._-] in
 * '/'-separated segments; no leading or trailing '/', no empty ("//"), "."
 * or ".." segment. Returns 1 when valid. */
int image_part_name_valid(const char *name);

#endif
