/*
 * image.c - write and read vnet image files (see image.h for the API and
 * docs/image-format.md for the layout users see).
 *
 *   offset   size  field
 *   0        8     magic "VNETIMG\n"
 *   8        2     format version, big-endian (1)
 *   10       2     flags, big-endian (0: version 1 defines none)
 *   12       4     manifest length M, big-endian
 *   16       32    SHA-256 of the manifest
 *   48       32    SHA-256 of bytes 0..47 (the header checksum)
 *   80       M     manifest: JSON, UTF-8
 *   80+M     ...   the parts' bytes, in manifest order, no padding
 *   end-32   32    trailer: SHA-256 of every byte before it
 *
 * The reader checks in file order and stops at the first problem, so the
 * message points at the earliest damage: magic, header checksum, version,
 * flags, manifest length and checksum, manifest syntax and content (keys,
 * types, names, limits), the file length against the declared sizes, each
 * part's checksum, the trailer. Only then is anything kept. The header
 * checksum is checked before the version so that a damaged version field
 * reads as damage; every version keeps these 80 bytes as they are.
 *
 * A fuzzing build (FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION) computes the
 * checksums but ignores mismatches, so that the fuzzer reaches the manifest
 * parser; the unit tests check the refusals.
 */
#include "image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sha256.h"

#define CREATED_MAX 40		/* "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ" + NUL, rounded up */

static const char *const image_kinds[] = { "router", "network" };

/* ------------------------------------------------------------------ */
/* Shared checks                                                        */

static int kind_valid(const char *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(image_kinds); i++)
		if (s && !strcmp(s, image_kinds[i]))
			return 1;
	return 0;
}

static int name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

int image_part_name_valid(const char *name)
{
	size_t len, seg = 0;

	if (!name)
		return 0;
	len = strlen(name);
	if (len == 0 || len > IMAGE_PART_NAME_MAX)
		return 0;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || name[i] == '/') {
			size_t n = i - seg;

			if (n == 0)	/* leading, trailing or double '/' */
				return 0;
			if ((n == 1 && name[seg] == '.') ||
			    (n == 2 && name[seg] == '.' && name[seg + 1] == '.'))
				return 0;
			seg = i + 1;
		} else if (!name_char(name[i])) {
			return 0;
		}
	}
	return 1;
}

/* The image's own name: 1..IMAGE_NAME_MAX bytes, no control characters
 * (UTF-8 validity is checked by jansson on both sides). */
static int image_name_valid(const char *s)
{
	size_t len = s ? strlen(s) : 0;

	if (len == 0 || len > IMAGE_NAME_MAX)
		return 0;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

static int version_valid(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > 64)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (s[i] < 0x21 || s[i] > 0x7e)
			return 0;
	return 1;
}

static int digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		*v = *v * 10 + (s[i] - '0');
	}
	return 1;
}

/* RFC 3339 in UTC: YYYY-MM-DDTHH:MM:SS[.fraction]Z, upper-case T and Z,
 * a real calendar date, second 60 allowed (leap second). */
static int rfc3339_utc_valid(const char *s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, sec, n;
	size_t len = strlen(s);

	if (len < 20 || len >= CREATED_MAX)
		return 0;
	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
	    s[7] != '-' || !digits(s + 8, 2, &d) || s[10] != 'T' ||
	    !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) ||
	    s[16] != ':' || !digits(s + 17, 2, &sec))
		return 0;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 ||
	    mi > 59 || sec > 60)
		return 0;
	if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return 0;
	n = 19;
	if (s[n] == '.') {
		int f = 0;

		while (s[n + 1 + f] >= '0' && s[n + 1 + f] <= '9')
			f++;
		if (f < 1 || f > 9)
			return 0;
		n += 1 + f;
	}
	return s[n] == 'Z' && s[n + 1] == '\0';
}

/* A string for a message: printable ASCII as is, anything else (and '\\')
 * as \xNN, cut with "..." after max bytes, so that a hostile name or a
 * jansson "near" token cannot break the one-line error or hide what it is. */
static const char *shown_n(const char *s, size_t max, char *buf, size_t size)
{
	size_t o = 0, i;

	for (i = 0; s[i] && i < max && o + 5 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
	}
	if (s[i] && o + 4 <= size) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

static const char *shown(const char *s, char *buf, size_t size)
{
	return shown_n(s, 60, buf, size);
}

/* "9663676416 bytes (9.0 GiB)" style, for limit messages. */
static const char *fmt_bytes(uint64_t n, char *buf, size_t size)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double v = (double)n;
	int u = -1;

	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, size, "%llu bytes", (unsigned long long)n);
	else
		snprintf(buf, size, "%llu bytes (%.1f %s)", (unsigned long long)n,
			 v, unit[u]);
	return buf;
}

#define NAME_RULE "(names are relative paths of letters, digits, '.', '_' and '-' " \
		  "separated by '/', without '..', '//', or control characters)"

/* Why a part name is refused, as the end of a sentence. */
static void part_name_problem(const char *name, char *buf, size_t size)
{
	char sh[256];

	if (strlen(name) > IMAGE_PART_NAME_MAX)
		snprintf(buf, size, "part name '%s' is %zu bytes long; the limit is %d",
			 shown(name, sh, sizeof(sh)), strlen(name), IMAGE_PART_NAME_MAX);
	else
		snprintf(buf, size, "part name '%s' is not allowed " NAME_RULE,
			 shown(name, sh, sizeof(sh)));
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ------------------------------------------------------------------ */
/* Writer                                                               */

struct wpart {
	char *name;
	void *data;
	size_t len;
	uint8_t sha[SHA256_LEN];
};

struct image_writer {
	char kind[16];
	char *name;
	char created[CREATED_MAX];
	struct wpart *parts;
	size_t nparts, cap;
	uint64_t total;		/* sum of part sizes */
	int failed;		/* msg holds the first mistake */
	char msg[sizeof(((struct vnet_err *)0)->msg)];
};

/* Remember the first mistake; returns rc. */
static int __attribute__((format(printf, 3, 4)))
w_fail(struct image_writer *w, int rc, const char *fmt, ...)
{
	va_list ap;

	if (!w->failed) {
		va_start(ap, fmt);
		vsnprintf(w->msg, sizeof(w->msg), fmt, ap);
		va_end(ap);
		w->failed = 1;
	}
	return rc;
}

struct image_writer *image_writer_new(const char *kind, const char *name)
{
	struct image_writer *w = calloc(1, sizeof(*w));
	char sh[256];
	json_t *probe;
	struct tm tm;
	time_t now = time(NULL);

	if (!w)
		return NULL;
	if (!(w->name = strdup(name ? name : ""))) {
		free(w);
		return NULL;
	}
	gmtime_r(&now, &tm);
	strftime(w->created, sizeof(w->created), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (kind_valid(kind))
		snprintf(w->kind, sizeof(w->kind), "%s", kind);
	else
		w_fail(w, -EINVAL, "image kind '%s' is not known (expected 'router' or 'network')",
		       kind ? shown(kind, sh, sizeof(sh)) : "(null)");
	if (!image_name_valid(w->name))
		w_fail(w, -EINVAL, "image name '%s' is not allowed (1 to %d bytes, "
		       "no control characters)", shown(w->name, sh, sizeof(sh)),
		       IMAGE_NAME_MAX);
	else if (!(probe = json_string(w->name)))
		w_fail(w, -EINVAL, "image name '%s' is not valid UTF-8",
		       shown(w->name, sh, sizeof(sh)));
	else
		json_decref(probe);
	return w;
}

int image_writer_set_created(struct image_writer *w, const char *rfc3339)
{
	char sh[256];

	if (!rfc3339 || !rfc3339_utc_valid(rfc3339))
		return w_fail(w, -EINVAL, "created time '%s' is not an RFC 3339 UTC time "
			      "such as 2024-05-01T12:00:00Z",
			      rfc3339 ? shown(rfc3339, sh, sizeof(sh)) : "(null)");
	snprintf(w->created, sizeof(w->created), "%s", rfc3339);
	return 0;
}

/* Takes ownership of data (malloc'ed) on success. */
static int w_add(struct image_writer *w, const char *part_name, void *data,
		 size_t len, int copy)
{
	struct wpart *p;
	char buf[400], b1[64];

	if (!image_part_name_valid(part_name)) {
		if (!part_name)
			return w_fail(w, -EINVAL, "part name missing (NULL)");
		part_name_problem(part_name, buf, sizeof(buf));
		return w_fail(w, -EINVAL, "%s", buf);
	}
	for (size_t i = 0; i < w->nparts; i++)
		if (!strcmp(w->parts[i].name, part_name))
			return w_fail(w, -EINVAL, "duplicate part name '%s'", part_name);
	if (w->nparts >= IMAGE_PARTS_MAX)
		return w_fail(w, -EFBIG, "part '%s' is one too many; the limit is %d parts",
			      part_name, IMAGE_PARTS_MAX);
	if ((uint64_t)len > IMAGE_PART_MAX)
		return w_fail(w, -EFBIG, "part '%s' is %s; the limit is 256 MiB",
			      part_name, fmt_bytes(len, b1, sizeof(b1)));
	if (w->total + len > IMAGE_TOTAL_MAX)
		return w_fail(w, -EFBIG, "part '%s' brings the parts to %s; the limit is 1 GiB",
			      part_name, fmt_bytes(w->total + len, b1, sizeof(b1)));
	if (w->nparts == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 8;
		struct wpart *np = realloc(w->parts, cap * sizeof(*np));

		if (!np)
			return w_fail(w, -ENOMEM, "out of memory");
		w->parts = np;
		w->cap = cap;
	}
	p = &w->parts[w->nparts];
	if (!(p->name = strdup(part_name)))
		return w_fail(w, -ENOMEM, "out of memory");
	if (copy) {
		void *d = malloc(len ? len : 1);

		if (!d) {
			free(p->name);
			return w_fail(w, -ENOMEM, "out of memory");
		}
		if (len)
			memcpy(d, data, len);
		data = d;
	}
	p->data = data;
	p->len = len;
	sha256(data, len, p->sha);
	w->nparts++;
	w->total += len;
	return 0;
}

int image_writer_add(struct image_writer *w, const char *part_name,
		     const void *data, size_t len)
{
	if (!data && len)
		return w_fail(w, -EINVAL, "part '%s' has no data", part_name ? part_name : "");
	return w_add(w, part_name, (void *)data, len, 1);
}

int image_writer_add_json(struct image_writer *w, const char *part_name,
			  const json_t *j)
{
	char *text;
	size_t len;
	int rc;

	if (!j)
		return w_fail(w, -EINVAL, "part '%s' has no JSON value",
			      part_name ? part_name : "");
	text = json_dumps(j, JSON_SORT_KEYS | JSON_INDENT(1) | JSON_ENCODE_ANY);
	if (!text)
		return w_fail(w, -EINVAL, "part '%s' cannot be serialized as JSON",
			      part_name ? part_name : "");
	len = strlen(text);
	{
		char *t = realloc(text, len + 2);

		if (!t) {
			free(text);
			return w_fail(w, -ENOMEM, "out of memory");
		}
		text = t;
	}
	text[len++] = '\n';
	text[len] = '\0';
	rc = w_add(w, part_name, text, len, 0);
	if (rc)
		free(text);
	return rc;
}

void image_writer_free(struct image_writer *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->nparts; i++) {
		free(w->parts[i].name);
		free(w->parts[i].data);
	}
	free(w->parts);
	free(w->name);
	free(w);
}

/* Write the JSON encoding of v (a new reference, consumed); 0 or -1. */
static int put_json(FILE *f, json_t *v)
{
	int rc;

	if (!v)
		return -1;
	rc = json_dumpf(v, f, JSON_ENCODE_ANY);
	json_decref(v);
	return rc ? -1 : 0;
}

/*
 * The manifest, laid out for people reading it with head -c: one top-level
 * key per line, one part per line. Deterministic: fixed key order, jansson's
 * escaping, no floating point.
 */
static char *build_manifest(const struct image_writer *w, size_t *mlen)
{
	char *s = NULL, hex[SHA256_HEX_LEN + 1];
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);
	int bad = 0;

	if (!f)
		return NULL;
	bad |= fprintf(f, "{\n \"format\": %d,\n \"kind\": ", IMAGE_FORMAT) < 0;
	bad |= put_json(f, json_string(w->kind));
	bad |= fputs(",\n \"name\": ", f) < 0;
	bad |= put_json(f, json_string(w->name));
	bad |= fputs(",\n \"created\": ", f) < 0;
	bad |= put_json(f, json_string(w->created));
	bad |= fputs(",\n \"vnet_version\": ", f) < 0;
	bad |= put_json(f, json_string(VNET_VERSION));
	bad |= fputs(",\n \"parts\": [", f) < 0;
	for (size_t i = 0; i < w->nparts; i++) {
		bad |= fputs(i ? ",\n  {\"name\": " : "\n  {\"name\": ", f) < 0;
		bad |= put_json(f, json_string(w->parts[i].name));
		bad |= fprintf(f, ", \"size\": %zu, \"sha256\": \"%s\"}", w->parts[i].len,
			       sha256_hex(w->parts[i].sha, hex)) < 0;
	}
	bad |= fputs(w->nparts ? "\n ]\n}\n" : "]\n}\n", f) < 0;
	if (fclose(f) || bad) {
		free(s);
		return NULL;
	}
	*mlen = len;
	return s;
}

/* Where the bytes go: a file descriptor or a memory buffer of known size. */
struct sink {
	int fd;
	uint8_t *buf;
	size_t off;
	struct sha256 sha;
};

static int sink_put(struct sink *k, const void *data, size_t len)
{
	const uint8_t *p = data;

	sha256_update(&k->sha, data, len);
	if (k->fd < 0) {
		if (len)
			memcpy(k->buf + k->off, data, len);
		k->off += len;
		return 0;
	}
	while (len) {
		ssize_t n = write(k->fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Header, manifest, parts and trailer into k; -1 with errno on a write error. */
static int emit(const struct image_writer *w, const char *manifest, size_t mlen,
		struct sink *k)
{
	uint8_t hdr[IMAGE_HEADER_LEN], trailer[SHA256_LEN];

	memcpy(hdr, IMAGE_MAGIC, IMAGE_MAGIC_LEN);
	put_be16(hdr + 8, IMAGE_FORMAT);
	put_be16(hdr + 10, 0);
	put_be32(hdr + 12, (uint32_t)mlen);
	sha256(manifest, mlen, hdr + 16);
	sha256(hdr, 48, hdr + 48);
	sha256_init(&k->sha);
	if (sink_put(k, hdr, sizeof(hdr)) || sink_put(k, manifest, mlen))
		return -1;
	for (size_t i = 0; i < w->nparts; i++)
		if (sink_put(k, w->parts[i].data, w->parts[i].len))
			return -1;
	sha256_final(&k->sha, trailer);
	return sink_put(k, trailer, sizeof(trailer));
}

/* The manifest, or NULL with err filled ("label: ..."). */
static char *w_prepare(const struct image_writer *w, const char *label,
		       size_t *mlen, struct vnet_err *err)
{
	char *m;
	char b1[64];

	if (w->failed) {
		vnet_errf(err, "%s: %s", label, w->msg);
		return NULL;
	}
	if (!(m = build_manifest(w, mlen))) {
		vnet_errf(err, "%s: out of memory", label);
		return NULL;
	}
	if (*mlen > IMAGE_MANIFEST_MAX) {
		vnet_errf(err, "%s: the manifest would be %s; the limit is 1 MiB "
			  "(fewer parts or shorter names)", label,
			  fmt_bytes(*mlen, b1, sizeof(b1)));
		free(m);
		return NULL;
	}
	return m;
}

int image_writer_write_buf(struct image_writer *w, void **out, size_t *len,
			   struct vnet_err *err)
{
	struct sink k = { .fd = -1 };
	size_t mlen, total;
	char *m = w_prepare(w, "image", &mlen, err);

	if (!m)
		return -1;
	total = IMAGE_HEADER_LEN + mlen + (size_t)w->total + IMAGE_TRAILER_LEN;
	if (!(k.buf = malloc(total))) {
		free(m);
		return vnet_errf(err, "image: out of memory (%zu bytes)", total);
	}
	emit(w, m, mlen, &k);	/* cannot fail in memory */
	free(m);
	*out = k.buf;
	*len = total;
	return 0;
}

static int fsync_dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd, rc;

	if (!slash)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (!dir)
		return -1;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	if (rc && (errno == EINVAL || errno == EROFS))
		rc = 0;		/* the file system cannot sync directories */
	close(fd);
	return rc;
}

int image_writer_write(struct image_writer *w, const char *path,
		       struct vnet_err *err)
{
	struct sink k = { .fd = -1 };
	char *m, *tmp = NULL;
	const char *step;
	size_t mlen;
	int e;

	if (!(m = w_prepare(w, path, &mlen, err)))
		return -1;
	if (asprintf(&tmp, "%s.tmp", path) < 0) {
		free(m);
		return vnet_errf(err, "%s: out of memory", path);
	}
	/* A stale or planted path.tmp (even a symlink) is replaced, never
	 * followed: O_EXCL creates a new file or fails. */
	step = "cannot remove the old";
	if (unlink(tmp) && errno != ENOENT)
		goto fail;
	step = "cannot create";
	k.fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (k.fd < 0)
		goto fail;
	step = "cannot write";
	if (emit(w, m, mlen, &k))
		goto fail_unlink;
	step = "cannot sync";
	if (fsync(k.fd))
		goto fail_unlink;
	step = "cannot write";
	e = close(k.fd);
	k.fd = -1;
	if (e)
		goto fail_unlink;
	if (rename(tmp, path)) {
		e = errno;
		unlink(tmp);
		vnet_errf(err, "%s: cannot rename %s to it: %s", path, tmp, strerror(e));
		goto out;
	}
	if (fsync_dir_of(path)) {
		vnet_errf(err, "%s: written, but cannot sync its directory: %s", path,
			  strerror(errno));
		goto out;
	}
	free(tmp);
	free(m);
	return 0;

fail_unlink:
	e = errno;
	if (k.fd >= 0)
		close(k.fd);
	unlink(tmp);
	errno = e;
fail:
	/* a full disk is a resource; a missing or forbidden directory the
	 * caller's mistake */
	vnet_errc(err, errno == ENOSPC || errno == EDQUOT ? VNET_ERR_EXHAUSTED :
		  errno == ENOENT || errno == EACCES || errno == ENOTDIR ||
		  errno == EROFS || errno == EISDIR ? VNET_ERR_INVALID : VNET_ERR_INTERNAL,
		  "%s: %s %s: %s", path, step, tmp, strerror(errno));
out:
	free(tmp);
	free(m);
	return -1;
}

/* ------------------------------------------------------------------ */
/* Reader                                                               */

struct rpart {
	const char *name;	/* in the manifest */
	size_t off, size;
	uint8_t sha[SHA256_LEN];	/* declared */
};

struct image {
	uint8_t *data;		/* the whole file */
	size_t len;
	json_t *manifest;	/* owns the strings below */
	const char *kind, *name, *created, *vnet_version;
	char *label;		/* for errors of image_part_json */
	struct rpart *parts;
	size_t nparts;
	size_t *by_name;	/* part indices sorted by name */
};

static int checksum_differs(const uint8_t *a, const uint8_t *b)
{
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
	(void)a, (void)b;
	return 0;
#else
	return memcmp(a, b, SHA256_LEN) != 0;
#endif
}

static const char *json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a real number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "unknown";
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int parse_hex_digest(const char *s, uint8_t out[SHA256_LEN])
{
	if (strlen(s) != SHA256_HEX_LEN)
		return -1;
	for (int i = 0; i < SHA256_LEN; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* Check that obj has exactly the keys in keys[], all of them, with the types
 * in types[]. ctx names obj in messages: NULL for the top level or
 * "parts[3]". */
static int check_keys(const char *label, const char *ctx, json_t *obj,
		      const char *const *keys, const json_type *types, size_t n,
		      struct vnet_err *err)
{
	const char *key;
	json_t *v;
	char sh[256];

	if (!json_is_object(obj))
		return vnet_errf(err, "%s: manifest: %s must be an object, not %s",
				 label, ctx ? ctx : "the top level", json_type_name(obj));
	json_object_foreach(obj, key, v) {
		size_t i;

		for (i = 0; i < n; i++)
			if (!strcmp(key, keys[i]))
				break;
		if (i == n)
			return vnet_errf(err, "%s: manifest: unknown key '%s' %s%s", label,
					 shown(key, sh, sizeof(sh)),
					 ctx ? "in " : "at the top level", ctx ? ctx : "");
		if (json_typeof(v) != types[i])
			return vnet_errf(err, "%s: manifest: %s%s%s must be %s, not %s",
					 label, ctx ? ctx : "", ctx ? "." : "", key,
					 types[i] == JSON_STRING ? "a string" :
					 types[i] == JSON_INTEGER ? "an integer" : "an array",
					 json_type_name(v));
	}
	for (size_t i = 0; i < n; i++)
		if (!json_object_get(obj, keys[i]))
			return vnet_errf(err, "%s: manifest: %s lacks the key '%s'", label,
					 ctx ? ctx : "the top level", keys[i]);
	return 0;
}

static int name_cmp_ctx(const void *a, const void *b, void *ctx)
{
	const struct rpart *p = ctx;

	return strcmp(p[*(const size_t *)a].name, p[*(const size_t *)b].name);
}

/* Everything between the header and the bytes: the manifest's syntax, keys,
 * types, values, names and limits; fills img's manifest fields and parts. */
static int check_manifest(struct image *img, const char *label, const uint8_t *m,
			  size_t mlen, uint16_t version, struct vnet_err *err)
{
	static const char *const top_keys[] = { "format", "kind", "name", "created",
						"vnet_version", "parts" };
	static const json_type top_types[] = { JSON_INTEGER, JSON_STRING, JSON_STRING,
					       JSON_STRING, JSON_STRING, JSON_ARRAY };
	static const char *const part_keys[] = { "name", "size", "sha256" };
	static const json_type part_types[] = { JSON_STRING, JSON_INTEGER, JSON_STRING };
	json_error_t je;
	json_t *j, *parts, *v;
	char sh[256], b1[64], ctx[48];
	uint64_t total = 0;
	size_t i;

	j = json_loadb((const char *)m, mlen, JSON_REJECT_DUPLICATES, &je);
	if (!j)
		return vnet_errf(err, "%s: manifest line %d, column %d: %s", label,
				 je.line, je.column, shown_n(je.text, 200, sh, sizeof(sh)));
	img->manifest = j;
	if (check_keys(label, NULL, j, top_keys, top_types,
		       ARRAY_SIZE(top_keys), err))
		return -1;
	if (json_integer_value(json_object_get(j, "format")) != version)
		return vnet_errf(err, "%s: manifest: format %lld does not match the "
				 "header's version %u", label,
				 (long long)json_integer_value(json_object_get(j, "format")),
				 version);
	img->kind = json_string_value(json_object_get(j, "kind"));
	img->name = json_string_value(json_object_get(j, "name"));
	img->created = json_string_value(json_object_get(j, "created"));
	img->vnet_version = json_string_value(json_object_get(j, "vnet_version"));
	if (!kind_valid(img->kind))
		return vnet_errf(err, "%s: manifest: kind '%s' is not known (expected "
				 "'router' or 'network')", label,
				 shown(img->kind, sh, sizeof(sh)));
	if (strlen(img->name) != json_string_length(json_object_get(j, "name")) ||
	    !image_name_valid(img->name))
		return vnet_errf(err, "%s: manifest: name '%s' is not allowed (1 to %d "
				 "bytes, no control characters)", label,
				 shown(img->name, sh, sizeof(sh)), IMAGE_NAME_MAX);
	if (!rfc3339_utc_valid(img->created))
		return vnet_errf(err, "%s: manifest: created '%s' is not an RFC 3339 "
				 "UTC time such as 2024-05-01T12:00:00Z", label,
				 shown(img->created, sh, sizeof(sh)));
	if (!version_valid(img->vnet_version))
		return vnet_errf(err, "%s: manifest: vnet_version '%s' is not allowed "
				 "(1 to 64 printable characters, no spaces)", label,
				 shown(img->vnet_version, sh, sizeof(sh)));

	parts = json_object_get(j, "parts");
	if (json_array_size(parts) > IMAGE_PARTS_MAX)
		return vnet_errf(err, "%s: manifest lists %zu parts; the limit is %d",
				 label, json_array_size(parts), IMAGE_PARTS_MAX);
	img->nparts = json_array_size(parts);
	img->parts = calloc(img->nparts ? img->nparts : 1, sizeof(*img->parts));
	img->by_name = calloc(img->nparts ? img->nparts : 1, sizeof(*img->by_name));
	if (!img->parts || !img->by_name)
		return vnet_errf(err, "%s: out of memory", label);
	json_array_foreach(parts, i, v) {
		struct rpart *p = &img->parts[i];
		json_int_t size;

		snprintf(ctx, sizeof(ctx), "parts[%zu]", i);
		if (check_keys(label, ctx, v, part_keys, part_types,
			       ARRAY_SIZE(part_keys), err))
			return -1;
		p->name = json_string_value(json_object_get(v, "name"));
		if (strlen(p->name) != json_string_length(json_object_get(v, "name")) ||
		    !image_part_name_valid(p->name)) {
			char why[400];

			part_name_problem(p->name, why, sizeof(why));
			return vnet_errf(err, "%s: %s", label, why);
		}
		size = json_integer_value(json_object_get(v, "size"));
		if (size < 0)
			return vnet_errf(err, "%s: part '%s' declares %lld bytes; a size "
					 "is 0 or more", label, p->name, (long long)size);
		if ((uint64_t)size > IMAGE_PART_MAX)
			return vnet_errf(err, "%s: part '%s' declares %s; the limit is 256 MiB",
					 label, p->name, fmt_bytes((uint64_t)size, b1, sizeof(b1)));
		total += (uint64_t)size;
		if (total > IMAGE_TOTAL_MAX)
			return vnet_errf(err, "%s: parts up to '%s' declare %s together; "
					 "the limit is 1 GiB", label, p->name,
					 fmt_bytes(total, b1, sizeof(b1)));
		p->size = (size_t)size;
		if (parse_hex_digest(json_string_value(json_object_get(v, "sha256")),
				     p->sha))
			return vnet_errf(err, "%s: part '%s': sha256 '%s' is not 64 "
					 "lower-case hex digits", label, p->name,
					 shown(json_string_value(json_object_get(v, "sha256")),
					       sh, sizeof(sh)));
		img->by_name[i] = i;
	}
	qsort_r(img->by_name, img->nparts, sizeof(*img->by_name), name_cmp_ctx,
		img->parts);
	for (i = 1; i < img->nparts; i++) {
		size_t a = img->by_name[i - 1], b = img->by_name[i];

		if (!strcmp(img->parts[a].name, img->parts[b].name))
			return vnet_errf(err, "%s: duplicate part name '%s' (parts[%zu] "
					 "and parts[%zu])", label, img->parts[a].name,
					 a < b ? a : b, a < b ? b : a);
	}
	return 0;
}

/* Validate buf completely; on success img's fields point into buf and the
 * manifest. On failure img holds what must be freed. */
static int check_image(struct image *img, const uint8_t *buf, size_t len,
		       const char *label, struct vnet_err *err)
{
	uint8_t d[SHA256_LEN];
	uint16_t version, flags;
	uint32_t mlen;
	size_t off;

	if (len == 0)
		return vnet_errf(err, "%s: not a vnet image (empty file)", label);
	if (memcmp(buf, IMAGE_MAGIC, len < IMAGE_MAGIC_LEN ? len : IMAGE_MAGIC_LEN))
		return vnet_errf(err, "%s: not a vnet image (bad magic)", label);
	if (len < IMAGE_HEADER_LEN)
		return vnet_errf(err, "%s: truncated: the header needs %d bytes, file has %zu",
				 label, IMAGE_HEADER_LEN, len);
	sha256(buf, 48, d);
	if (checksum_differs(d, buf + 48))
		return vnet_errf(err, "%s: header checksum mismatch (damaged file)", label);
	version = get_be16(buf + 8);
	flags = get_be16(buf + 10);
	mlen = get_be32(buf + 12);
	if (version != IMAGE_FORMAT)
		return vnet_errf(err, "%s: format version %u is not supported (this vnet "
				 "reads version %d)", label, version, IMAGE_FORMAT);
	if (flags)
		return vnet_errf(err, "%s: unknown flags 0x%04x in the header (version %d "
				 "defines none; written by a newer vnet?)", label, flags,
				 IMAGE_FORMAT);
	if (mlen > IMAGE_MANIFEST_MAX)
		return vnet_errf(err, "%s: the manifest declares %u bytes; the limit is 1 MiB",
				 label, mlen);
	if (len - IMAGE_HEADER_LEN < mlen)
		return vnet_errf(err, "%s: truncated: the manifest needs %u bytes at offset "
				 "%d, file has %zu", label, mlen, IMAGE_HEADER_LEN, len);
	sha256(buf + IMAGE_HEADER_LEN, mlen, d);
	if (checksum_differs(d, buf + 16))
		return vnet_errf(err, "%s: checksum mismatch in the manifest (damaged file)",
				 label);
	if (check_manifest(img, label, buf + IMAGE_HEADER_LEN, mlen, version, err))
		return -1;

	off = IMAGE_HEADER_LEN + mlen;
	for (size_t i = 0; i < img->nparts; i++) {
		struct rpart *p = &img->parts[i];

		if (len - off < p->size)
			return vnet_errf(err, "%s: truncated: part '%s' needs %zu bytes at "
					 "offset %zu, file has %zu", label, p->name,
					 p->size, off, len);
		p->off = off;
		off += p->size;
	}
	if (len - off < IMAGE_TRAILER_LEN)
		return vnet_errf(err, "%s: truncated: the trailer needs %d bytes at offset "
				 "%zu, file has %zu", label, IMAGE_TRAILER_LEN, off, len);
	if (len - off > IMAGE_TRAILER_LEN)
		return vnet_errf(err, "%s: %zu bytes of trailing garbage after the trailer "
				 "(the image ends at offset %zu)", label,
				 len - off - IMAGE_TRAILER_LEN, off + IMAGE_TRAILER_LEN);
	for (size_t i = 0; i < img->nparts; i++) {
		struct rpart *p = &img->parts[i];

		sha256(buf + p->off, p->size, d);
		if (checksum_differs(d, p->sha))
			return vnet_errf(err, "%s: checksum mismatch in part '%s' (damaged file)",
					 label, p->name);
	}
	sha256(buf, off, d);
	if (checksum_differs(d, buf + off))
		return vnet_errf(err, "%s: checksum mismatch in the trailer (damaged file)",
				 label);
	return 0;
}

void image_free(struct image *img)
{
	if (!img)
		return;
	json_decref(img->manifest);
	free(img->parts);
	free(img->by_name);
	free(img->label);
	free(img->data);
	free(img);
}

/* Check buf and, when it is an image, keep it: take ownership of owned (which
 * is buf) or copy buf. owned is freed on failure. */
static struct image *read_common(const uint8_t *buf, size_t len, uint8_t *owned,
				 const char *label, struct vnet_err *err)
{
	struct image *img = calloc(1, sizeof(*img));

	if (!img) {
		vnet_errf(err, "%s: out of memory", label);
		goto fail;
	}
	if (check_image(img, buf, len, label, err))
		goto fail;
	if (!(img->label = strdup(label))) {
		vnet_errf(err, "%s: out of memory", label);
		goto fail;
	}
	if (owned) {
		img->data = owned;
	} else {
		if (!(img->data = malloc(len))) {
			vnet_errf(err, "%s: out of memory (%zu bytes)", label, len);
			goto fail;
		}
		memcpy(img->data, buf, len);
	}
	img->len = len;
	return img;

fail:
	image_free(img);
	free(owned);
	return NULL;
}

struct image *image_read_buf(const void *buf, size_t len, const char *name,
			     struct vnet_err *err)
{
	static const uint8_t empty[1];

	return read_common(buf ? buf : empty, buf ? len : 0, NULL,
			   name ? name : "image", err);
}

struct image *image_read(const char *path, struct vnet_err *err)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t len = 0, size;
	char b1[64];
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		vnet_errf(err, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st)) {
		vnet_errf(err, "%s: cannot stat: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		vnet_errf(err, "%s: not a regular file", path);
		goto fail;
	}
	if ((uint64_t)st.st_size > IMAGE_FILE_MAX) {
		vnet_errf(err, "%s: the file is %s, larger than any vnet image (at most %s)",
			  path, fmt_bytes((uint64_t)st.st_size, b1, sizeof(b1)),
			  "1 GiB of parts plus 1 MiB of manifest");
		goto fail;
	}
	size = (size_t)st.st_size;
	if (!(buf = malloc(size ? size : 1))) {
		vnet_errf(err, "%s: out of memory (%zu bytes)", path, size);
		goto fail;
	}
	while (len < size) {
		ssize_t n = read(fd, buf + len, size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			vnet_errf(err, "%s: cannot read: %s", path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;	/* shrank while we read: the checks see it */
		len += (size_t)n;
	}
	close(fd);
	return read_common(buf, len, buf, path, err);

fail:
	free(buf);
	close(fd);
	return NULL;
}

const char *image_kind(const struct image *img)
{
	return img->kind;
}

const char *image_name(const struct image *img)
{
	return img->name;
}

const char *image_created(const struct image *img)
{
	return img->created;
}

const char *image_vnet_version(const struct image *img)
{
	return img->vnet_version;
}

size_t image_nparts(const struct image *img)
{
	return img->nparts;
}

const char *image_part_name(const struct image *img, size_t i)
{
	return i < img->nparts ? img->parts[i].name : NULL;
}

static const struct rpart *find_part(const struct image *img, const char *name)
{
	size_t lo = 0, hi = img->nparts;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct rpart *p = &img->parts[img->by_name[mid]];
		int c = strcmp(name, p->name);

		if (c == 0)
			return p;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const void *image_part(const struct image *img, const char *name, size_t *len)
{
	const struct rpart *p = name ? find_part(img, name) : NULL;

	if (!p)
		return NULL;
	if (len)
		*len = p->size;
	return img->data + p->off;
}

json_t *image_part_json(const struct image *img, const char *name,
			struct vnet_err *err)
{
	const struct rpart *p = name ? find_part(img, name) : NULL;
	json_error_t je;
	json_t *j;
	char sh[400];

	if (!p) {
		vnet_errf(err, "%s: the image has no part '%s'", img->label,
			  name ? shown(name, sh, sizeof(sh)) : "(null)");
		return NULL;
	}
	j = json_loadb((const char *)img->data + p->off, p->size,
		       JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
	if (!j)
		vnet_errf(err, "%s: part '%s' line %d, column %d: %s", img->label,
			  p->name, je.line, je.column, shown_n(je.text, 200, sh, sizeof(sh)));
	return j;
}
