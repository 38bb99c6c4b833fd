/*
 * print.c - vnet's one print layer.
 *
 * Every command hands the API's answer to print_result(): with --json it is
 * printed as JSON (jansson, two-space indent) and nothing else reaches
 * stdout; otherwise the command's text printer renders it. Text printers
 * build their views from the helpers here: tables whose columns fit their
 * widest cell, "key  value" detail lines, and formatters that turn JSON
 * values into text and print "-" for anything missing, so an answer with
 * fewer fields than expected still prints.
 */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q) {
		fputs("vnet: out of memory\n", stderr);
		exit(CLI_EXIT_FAIL);
	}
	return q;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xrealloc(NULL, n), s, n);
}

/* Make room for n more bytes and the NUL. */
static void sbuf_grow(struct sbuf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 64;

	if (b->len + n + 1 <= b->cap)
		return;
	while (cap < b->len + n + 1)
		cap *= 2;
	b->s = xrealloc(b->s, cap);
	b->cap = cap;
}

void sbuf_add(struct sbuf *b, const char *p, size_t n)
{
	sbuf_grow(b, n);
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void sbuf_puts(struct sbuf *b, const char *s)
{
	sbuf_add(b, s, strlen(s));
}

void sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	sbuf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

const char *sbuf_str(const struct sbuf *b)
{
	return b->s ? b->s : "";
}

void sbuf_reset(struct sbuf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

void sbuf_free(struct sbuf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

void print_json(json_t *obj)
{
	json_dumpf(obj, stdout, JSON_INDENT(2) | JSON_ENCODE_ANY);
	fputc('\n', stdout);
}

void print_result(const struct cli *cli, json_t *obj,
		  void (*text)(json_t *obj, const char *ctx), const char *ctx)
{
	if (cli->json)
		print_json(obj);
	else if (text)
		text(obj, ctx);
	fflush(stdout);
}

const char *jstr(json_t *obj, const char *key)
{
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	return json_is_string(v) ? json_string_value(v) : NULL;
}

json_t *jlist(json_t *resp, const char *key)
{
	json_t *v;

	if (json_is_array(resp))
		return resp;
	v = json_is_object(resp) ? json_object_get(resp, key) : NULL;
	return json_is_array(v) ? v : NULL;
}

void fmt_value(struct sbuf *b, json_t *v)
{
	size_t i, start = b->len;
	json_t *e;
	char *s;

	if (!v) {
		sbuf_puts(b, "-");
		return;
	}
	switch (json_typeof(v)) {
	case JSON_STRING:
		sbuf_add(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		sbuf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		sbuf_printf(b, "%g", json_real_value(v));
		break;
	case JSON_TRUE:
		sbuf_puts(b, "true");
		break;
	case JSON_FALSE:
		sbuf_puts(b, "false");
		break;
	case JSON_ARRAY:
		json_array_foreach(v, i, e) {
			if (i)
				sbuf_puts(b, ",");
			fmt_value(b, e);
		}
		break;
	case JSON_OBJECT:
		s = json_dumps(v, JSON_COMPACT);
		if (s)
			sbuf_puts(b, s);
		free(s);
		break;
	default:
		break;
	}
	if (b->len == start)
		sbuf_puts(b, "-");
}

const char *jtext(json_t *obj, const char *key, struct sbuf *buf)
{
	sbuf_reset(buf);
	fmt_value(buf, json_is_object(obj) ? json_object_get(obj, key) : NULL);
	return sbuf_str(buf);
}

void fmt_props(struct sbuf *b, json_t *props)
{
	const char *key;
	json_t *v;
	int n = 0;

	if (json_is_object(props)) {
		json_object_foreach(props, key, v) {
			sbuf_printf(b, "%s%s=", n++ ? " " : "", key);
			fmt_value(b, v);
		}
	}
	if (!n)
		sbuf_puts(b, "-");
}

void fmt_bytes(struct sbuf *b, double bytes)
{
	static const char units[] = "KMGT";
	int u = -1;

	if (bytes < 1024) {
		sbuf_printf(b, "%.0fB", bytes);
		return;
	}
	while (bytes >= 1024 && u < 3) {
		bytes /= 1024;
		u++;
	}
	sbuf_printf(b, bytes < 10 ? "%.1f%c" : "%.0f%c", bytes, units[u]);
}

void fmt_seconds(struct sbuf *b, double ns)
{
	double s = ns / 1e9;

	if (s < 60)
		sbuf_printf(b, "%.2fs", s);
	else if (s < 3600)
		sbuf_printf(b, "%dm%02ds", (int)(s / 60), (int)s % 60);
	else
		sbuf_printf(b, "%dh%02dm", (int)(s / 3600), ((int)s % 3600) / 60);
}

void print_kv(int indent, const char *key, const char *fmt, ...)
{
	va_list ap;

	printf("%*s%-12s", indent, "", key);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

struct table {
	int ncols;
	size_t ncells, cap;
	char **cells;		/* row-major; the first row is the header */
};

struct table *table_new(int ncols, ...)
{
	struct table *t = xrealloc(NULL, sizeof(*t));
	va_list ap;
	int i;

	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	va_start(ap, ncols);
	for (i = 0; i < ncols; i++)
		table_add(t, va_arg(ap, const char *));
	va_end(ap);
	return t;
}

void table_add(struct table *t, const char *cell)
{
	if (t->ncells == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 32;
		t->cells = xrealloc(t->cells, t->cap * sizeof(*t->cells));
	}
	t->cells[t->ncells++] = xstrdup(cell && *cell ? cell : "-");
}

void table_addf(struct table *t, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		fputs("vnet: out of memory\n", stderr);
		exit(CLI_EXIT_FAIL);
	}
	table_add(t, s);
	free(s);
}

size_t table_rows(const struct table *t)
{
	return t->ncells / (size_t)t->ncols - 1;
}

void table_print(struct table *t, FILE *f, int indent)
{
	size_t *w = xrealloc(NULL, (size_t)t->ncols * sizeof(*w));
	size_t i;
	int c;

	for (c = 0; c < t->ncols; c++)
		w[c] = 0;
	for (i = 0; i < t->ncells; i++) {
		size_t len = strlen(t->cells[i]);

		if (len > w[i % (size_t)t->ncols])
			w[i % (size_t)t->ncols] = len;
	}
	for (i = 0; i + (size_t)t->ncols <= t->ncells; i += (size_t)t->ncols) {
		fprintf(f, "%*s", indent, "");
		for (c = 0; c < t->ncols; c++) {
			if (c == t->ncols - 1)
				fprintf(f, "%s\n", t->cells[i + (size_t)c]);
			else
				fprintf(f, "%-*s  ", (int)w[c], t->cells[i + (size_t)c]);
		}
	}
	free(w);
}

void table_free(struct table *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->ncells; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}

char *sbuf_read_file(const char *path, size_t *len)
{
	struct sbuf b = { 0 };
	char buf[65536];
	FILE *f = fopen(path, "r");
	size_t n;
	int err;

	if (!f)
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sbuf_add(&b, buf, n);
	if (ferror(f)) {
		err = errno;
		fclose(f);
		sbuf_free(&b);
		errno = err ? err : EIO;
		return NULL;
	}
	fclose(f);
	sbuf_add(&b, "", 0);
	if (len)
		*len = b.len;
	return b.s;
}
