/*
 * capture.c - `vnet capture`: a pcapng stream (draft-ietf-opsawg-pcapng) of
 * the frames a link delivers, written by the link's worker into a pipe
 * whose other end vnetd streams to the client.
 *
 * The stream is one Section Header Block, one Interface Description Block
 * per captured direction (linktype Ethernet, named "r1>r2", nanosecond
 * timestamps: if_tsresol = 9) and one Enhanced Packet Block per frame
 * sent to the egress port, duplicates included, after corruption, GSO
 * super-frames as they are (the virtio header stripped). Timestamps are
 * CLOCK_REALTIME at the write.
 *
 * The data path never waits for the reader. The pipe is non-blocking: a
 * block the pipe has no room for is not captured and counts as
 * capture_dropped. Only a block larger than PIPE_BUF can be taken in part;
 * its rest is kept and written when the pipe becomes writable (the worker
 * watches it for EPOLLOUT), and frames that come meanwhile are dropped, so
 * the stream is always a sequence of whole blocks. When the reader goes
 * away (EPIPE) or the count is reached, the capture closes its end of the
 * pipe, so the reader sees EOF; the struct itself is freed only by a
 * command (start, stop, link removal), which the worker runs after the
 * events of its loop, so no event of the same round can point to freed
 * memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "log.h"

#define PCAPNG_SHB 0x0A0D0D0Au
#define PCAPNG_IDB 0x00000001u
#define PCAPNG_EPB 0x00000006u
#define PCAPNG_MAGIC 0x1A2B3C4Du
#define LINKTYPE_ETHERNET 1
#define OPT_END 0
#define OPT_SHB_USERAPPL 4
#define OPT_IF_NAME 2
#define OPT_IF_DESCRIPTION 3
#define OPT_IF_TSRESOL 9
#define EPB_HDR_LEN 28
/* The largest block: a frame the engine can read, its header and trailer. */
#define BLOCK_MAX (EPB_HDR_LEN + ENGINE_RXBUF + 3 + 4)

struct capture {
	struct link *link;
	int fd;			/* write end of the pipe; -1 once closed */
	uint8_t dirmask;	/* IDB 0 is its first direction, IDB 1 the second */
	bool done;		/* no more frames: close once pend is out */
	bool polling;		/* fd is in the worker's epoll for EPOLLOUT */
	uint32_t left;		/* frames still to capture; 0: no limit */
	size_t npend, opend;	/* pend[opend..npend) is still to be written */
	uint8_t pend[];		/* rest of a block the pipe took in part */
};

static size_t pad4(size_t n)
{
	return (4 - (n & 3)) & 3;
}

static size_t put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
	return 4;
}

static size_t put_opt(uint8_t *p, uint16_t code, const void *v, size_t len)
{
	uint16_t h[2] = { code, (uint16_t)len };

	memcpy(p, h, 4);
	if (len)
		memcpy(p + 4, v, len);
	memset(p + 4 + len, 0, pad4(len));
	return 4 + len + pad4(len);
}

/* Close the block starting at b whose trailing length goes at p: both
 * length fields. */
static void block_end(uint8_t *b, uint8_t *p)
{
	uint32_t total = (uint32_t)(p - b) + 4;

	memcpy(b + 4, &total, 4);
	memcpy(p, &total, 4);
}

/* SHB and the IDBs: the first bytes of the stream. */
static size_t header(uint8_t *buf, const struct link *l, uint8_t dirmask,
		     const char *label[2])
{
	static const char appl[] = "vnet-engine";
	uint8_t *b = buf, *p = buf;
	int64_t section_len = -1;
	uint16_t ver[2] = { 1, 0 };
	uint8_t tsresol = 9;

	p += put32(p, PCAPNG_SHB);
	p += 4;
	p += put32(p, PCAPNG_MAGIC);
	memcpy(p, ver, 4);
	p += 4;
	memcpy(p, &section_len, 8);
	p += 8;
	p += put_opt(p, OPT_SHB_USERAPPL, appl, strlen(appl));
	p += put_opt(p, OPT_END, NULL, 0);
	block_end(b, p);
	p += 4;

	for (int d = 0; d < 2; d++) {
		uint16_t lt[2] = { LINKTYPE_ETHERNET, 0 };

		if (!(dirmask & (1u << d)))
			continue;
		b = p;
		p += put32(p, PCAPNG_IDB);
		p += 4;
		memcpy(p, lt, 4);
		p += 4;
		p += put32(p, 0);	/* snaplen: no limit */
		p += put_opt(p, OPT_IF_NAME, label[d], strlen(label[d]));
		p += put_opt(p, OPT_IF_DESCRIPTION, l->name, strlen(l->name));
		p += put_opt(p, OPT_IF_TSRESOL, &tsresol, 1);
		p += put_opt(p, OPT_END, NULL, 0);
		block_end(b, p);
		p += 4;
	}
	return (size_t)(p - buf);
}

/* Close the pipe (the reader sees EOF); the struct stays until a command
 * frees it. */
static void capture_close(struct capture *c)
{
	if (c->fd < 0)
		return;
	if (c->polling)
		worker_epoll_capture(c->link->w, c->fd, c, 0);
	c->polling = false;
	close(c->fd);
	c->fd = -1;
	c->npend = c->opend = 0;
}

static void capture_free(struct link *l)
{
	struct capture *c = l->cap;

	if (!c)
		return;
	capture_close(c);
	free(c);
	l->cap = NULL;
}

/* Is nobody reading the pipe any more? */
static bool reader_gone(const struct capture *c)
{
	struct pollfd p = { .fd = c->fd, .events = POLLOUT };

	return c->fd < 0 || (poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP)));
}

/* Write what is left of a block. */
static void flush_pending(struct capture *c)
{
	while (c->opend < c->npend) {
		ssize_t w = write(c->fd, c->pend + c->opend, c->npend - c->opend);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			break;
		if (w <= 0) {
			log_info("link %s: capture reader gone", c->link->name);
			capture_close(c);
			return;
		}
		c->opend += (size_t)w;
	}
	if (c->opend < c->npend) {
		if (!c->polling && worker_epoll_capture(c->link->w, c->fd, c, 1) == 0)
			c->polling = true;
		return;
	}
	c->npend = c->opend = 0;
	if (c->polling)
		worker_epoll_capture(c->link->w, c->fd, c, 0);
	c->polling = false;
	if (c->done)
		capture_close(c);
}

void capture_event(struct capture *c)
{
	if (c->fd >= 0)
		flush_pending(c);
}

int capture_start(struct link *l, int fd, uint8_t dirmask, uint32_t count,
		  const char *label0)
{
	uint8_t hdr[512];
	char fwd[64], rev[64];
	const char *label[2] = { fwd, rev }, *gt;
	struct capture *c;
	struct stat st;
	size_t n;
	ssize_t w;
	int fl, rc;

	if (!dirmask || (dirmask & ~3u) || fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode)) {
		rc = -EINVAL;
		goto fail;
	}
	if (l->cap) {
		if (l->cap->fd >= 0 && !l->cap->done && !reader_gone(l->cap)) {
			rc = -EBUSY;
			goto fail;
		}
		capture_free(l);
	}
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
		rc = -errno;
		goto fail;
	}
	/* "A>B" names direction 0; direction 1 is "B>A". */
	snprintf(fwd, sizeof(fwd), "%s", label0 && *label0 ? label0 : "forward");
	gt = strchr(fwd, '>');
	if (gt && gt[1] && gt != fwd)
		snprintf(rev, sizeof(rev), "%s>%.*s", gt + 1, (int)(gt - fwd), fwd);
	else
		snprintf(rev, sizeof(rev), "reverse");
	n = header(hdr, l, dirmask, label);
	/* less than PIPE_BUF: written whole or not at all */
	do
		w = write(fd, hdr, n);
	while (w < 0 && errno == EINTR);
	if (w != (ssize_t)n) {
		rc = w < 0 ? -errno : -EIO;
		goto fail;
	}
	if (!(c = calloc(1, sizeof(*c) + BLOCK_MAX))) {
		rc = -ENOMEM;
		goto fail;
	}
	c->link = l;
	c->fd = fd;
	c->dirmask = dirmask;
	c->left = count;
	l->cap = c;
	log_info("link %s: capture started (%s%s%s), %u frames", l->name,
		 dirmask & 1 ? fwd : "", dirmask == 3 ? ", " : "", dirmask & 2 ? rev : "",
		 count);
	return 0;
fail:
	close(fd);
	return rc;
}

void capture_stop(struct link *l)
{
	struct capture *c = l->cap;

	if (!c)
		return;
	if (c->fd >= 0)
		log_info("link %s: capture stopped: %llu + %llu frames, %llu + %llu not captured",
			 l->name, (unsigned long long)l->dir[0].cap_frames,
			 (unsigned long long)l->dir[1].cap_frames,
			 (unsigned long long)l->dir[0].cap_dropped,
			 (unsigned long long)l->dir[1].cap_dropped);
	/* A block in flight is finished if the pipe takes it now; otherwise
	 * the reader (about to go too) gets a truncated last block. */
	if (c->fd >= 0 && c->npend)
		flush_pending(c);
	capture_free(l);
}

void capture_frame(struct link *l, int d, const uint8_t *frame, size_t len)
{
	struct capture *c = l->cap;
	struct direction *dr = &l->dir[d];
	uint8_t hdr[EPB_HDR_LEN], tail[8] = { 0 };
	struct iovec iov[3];
	struct timespec ts;
	uint64_t t;
	uint32_t v[7];
	size_t pad, total;
	ssize_t w;

	if (!c || c->fd < 0 || c->done || !(c->dirmask & (1u << d)))
		return;
	if (c->npend) {
		flush_pending(c);
		if (c->fd < 0)
			return;
		if (c->npend) {
			dr->cap_dropped++;
			return;
		}
	}
	pad = pad4(len);
	total = EPB_HDR_LEN + len + pad + 4;
	if (total > BLOCK_MAX) {	/* cannot happen: frames come from a read */
		dr->cap_dropped++;
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	t = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	v[0] = PCAPNG_EPB;
	v[1] = (uint32_t)total;
	v[2] = d && (c->dirmask & 1);	/* interface id: see header() */
	v[3] = (uint32_t)(t >> 32);
	v[4] = (uint32_t)t;
	v[5] = (uint32_t)len;
	v[6] = (uint32_t)len;
	memcpy(hdr, v, sizeof(hdr));
	memcpy(tail + pad, &v[1], 4);
	iov[0] = (struct iovec){ hdr, sizeof(hdr) };
	iov[1] = (struct iovec){ (void *)frame, len };
	iov[2] = (struct iovec){ tail, pad + 4 };
	do
		w = writev(c->fd, iov, 3);
	while (w < 0 && errno == EINTR);
	if (w < 0) {
		if (errno == EAGAIN) {
			dr->cap_dropped++;
			return;
		}
		log_info("link %s: capture reader gone", l->name);
		capture_close(c);
		return;
	}
	if ((size_t)w < total) {
		/* A block bigger than PIPE_BUF went in part: keep the rest. */
		for (size_t off = (size_t)w, k = 0, at = 0; k < 3; k++) {
			size_t a = at, b = at + iov[k].iov_len;

			if (off < b) {
				size_t from = off > a ? off - a : 0;

				memcpy(c->pend + c->npend, (uint8_t *)iov[k].iov_base + from,
				       iov[k].iov_len - from);
				c->npend += iov[k].iov_len - from;
			}
			at = b;
		}
		c->opend = 0;
	}
	dr->cap_frames++;
	if (c->left && --c->left == 0)
		c->done = true;
	if (c->npend)
		flush_pending(c);
	else if (c->done)
		capture_close(c);
}

uint8_t capture_dirmask(const struct link *l)
{
	return l->cap && l->cap->fd >= 0 && !l->cap->done ? l->cap->dirmask : 0;
}
