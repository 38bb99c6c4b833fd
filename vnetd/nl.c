/*
 * nl.c - rtnetlink through libmnl (see nl.h).
 *
 * A struct nl is a NETLINK_ROUTE socket created inside a network namespace:
 * the calling thread enters the namespace just long enough to create and
 * bind the socket (a socket stays in the namespace it was made in), then
 * returns to its own. Every request asks for an ack and is matched by
 * sequence number; the kernel's error comes back as -errno.
 */
#include "nl.h"

#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <unistd.h>

#include "log.h"
#include "vnet.h"

#define NL_BUF_SIZE 32768	/* MNL_SOCKET_DUMP_SIZE */

struct nl {
	struct mnl_socket *sk;
	unsigned portid;
	unsigned seq;
	char buf[NL_BUF_SIZE];
};

struct nl *nl_open(int netns_fd)
{
	struct nl *nl;
	int self = -1, e = 0;

	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return NULL;
	if (netns_fd >= 0) {
		self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		if (self < 0)
			goto fail;
		if (setns(netns_fd, CLONE_NEWNET) < 0)
			goto fail;
	}
	nl->sk = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl->sk || mnl_socket_bind(nl->sk, 0, MNL_SOCKET_AUTOPID) < 0)
		e = errno ? errno : EIO;
	if (self >= 0) {
		if (setns(self, CLONE_NEWNET) < 0) {
			/* Staying in the container's namespace would make every
			 * later socket of the daemon land there. */
			log_error("nl_open: cannot return to own network namespace: %s",
				  strerror(errno));
			abort();
		}
		close(self);
		self = -1;
	}
	if (e) {
		errno = e;
		goto fail;
	}
	nl->portid = mnl_socket_get_portid(nl->sk);
	nl->seq = (unsigned)getpid() ^ 0x5a5a0000u;
	{
		int one = 1;

		/* smaller acks; extended acks are not needed */
		mnl_socket_setsockopt(nl->sk, NETLINK_CAP_ACK, &one, sizeof(one));
	}
	return nl;
fail:
	e = errno;
	if (self >= 0)
		close(self);
	if (nl->sk)
		mnl_socket_close(nl->sk);
	free(nl);
	errno = e;
	return NULL;
}

void nl_close(struct nl *nl)
{
	if (!nl)
		return;
	mnl_socket_close(nl->sk);
	free(nl);
}

static struct nlmsghdr *nl_msg(struct nl *nl, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++nl->seq;
	return nlh;
}

/* Send nlh, run cb on each reply until the ack / end of dump. Returns 0 or
 * -errno (the kernel's error for a request; -EINTR for a dump that a change
 * interrupted, read to its end so the socket stays in step). Replies to
 * earlier requests (another sequence number) are skipped. */
static int nl_talk(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	unsigned seq = nlh->nlmsg_seq;
	int rc = 0;

	if (mnl_socket_sendto(nl->sk, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		const struct nlmsghdr *m = (const void *)nl->buf;
		ssize_t r = mnl_socket_recvfrom(nl->sk, nl->buf, sizeof(nl->buf));
		int n = (int)r;

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (; mnl_nlmsg_ok(m, n); m = mnl_nlmsg_next(m, &n)) {
			int final = m->nlmsg_type == NLMSG_DONE || m->nlmsg_type == NLMSG_ERROR;

			if (m->nlmsg_seq != seq)
				continue;
			if (m->nlmsg_flags & NLM_F_DUMP_INTR)
				rc = -EINTR;
			if (rc < 0) {
				if (final)
					return rc;
				continue;
			}
			switch (mnl_cb_run(m, m->nlmsg_len, seq, nl->portid, cb, data)) {
			case MNL_CB_ERROR:
				return errno ? -errno : -EIO;
			case MNL_CB_STOP:
				return 0;
			}
		}
	}
}

/* For requests whose answer is only an ack. */
static int nl_ack(struct nl *nl, struct nlmsghdr *nlh)
{
	return nl_talk(nl, nlh, NULL, NULL);
}

/* ---- links ------------------------------------------------------------ */

/* What RTM_GETLINK says of one link. */
struct link_state {
	int index;
	unsigned flags;			/* IFF_* */
};

static int link_get_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct link_state *ls = data;

	if (nlh->nlmsg_type == RTM_NEWLINK) {
		ls->index = ifi->ifi_index;
		ls->flags = ifi->ifi_flags;
	}
	return MNL_CB_OK;
}

static int link_get(struct nl *nl, const char *ifname, struct link_state *ls)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	int rc;

	memset(ls, 0, sizeof(*ls));
	if (!ifname || !*ifname || strlen(ifname) >= IFNAMSIZ)
		return -EINVAL;
	/* the answer is the link then the ack, or an error */
	nlh = nl_msg(nl, RTM_GETLINK, NLM_F_ACK);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	rc = nl_talk(nl, nlh, link_get_cb, ls);
	if (rc < 0)
		return rc;
	return ls->index > 0 ? 0 : -ENODEV;
}

int nl_ifindex(struct nl *nl, const char *ifname)
{
	struct link_state ls;
	int rc = link_get(nl, ifname, &ls);

	return rc < 0 ? rc : ls.index;
}

int nl_link_carrier(struct nl *nl, const char *ifname)
{
	struct link_state ls;
	int rc = link_get(nl, ifname, &ls);

	if (rc < 0)
		return rc;
	/* IFF_LOWER_UP is the carrier of this instant; IFF_RUNNING the
	 * operational state, which follows the carrier only once the kernel
	 * has handled its change (linkwatch, which is also what flushes the
	 * neighbours on a carrier-down). With both, no carrier-down is left
	 * to handle. (A TAP whose carrier never changed stays in operational
	 * state "unknown", which counts as running.) */
	return (ls.flags & IFF_LOWER_UP) && (ls.flags & IFF_RUNNING);
}

static int link_change(struct nl *nl, int ifindex, unsigned flags, unsigned change,
		       unsigned mtu)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;

	if (ifindex <= 0)
		return -EINVAL;
	nlh = nl_msg(nl, RTM_NEWLINK, NLM_F_ACK);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = flags;
	ifi->ifi_change = change;
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	return nl_ack(nl, nlh);
}

int nl_link_up(struct nl *nl, int ifindex)
{
	return link_change(nl, ifindex, IFF_UP, IFF_UP, 0);
}

int nl_link_set_mtu(struct nl *nl, int ifindex, unsigned mtu)
{
	if (mtu == 0)
		return -EINVAL;
	return link_change(nl, ifindex, 0, 0, mtu);
}

/* ---- addresses and routes --------------------------------------------- */

static int addr_ok(const struct vnet_addr *a)
{
	return a && (a->family == AF_INET || a->family == AF_INET6) &&
	       a->plen <= (a->family == AF_INET ? 32 : 128);
}

int nl_addr_add(struct nl *nl, int ifindex, const struct vnet_addr *a)
{
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	int rc;

	if (ifindex <= 0 || !addr_ok(a))
		return -EINVAL;
	nlh = nl_msg(nl, RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = a->family;
	ifa->ifa_prefixlen = a->plen;
	ifa->ifa_index = (unsigned)ifindex;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	if (a->family == AF_INET) {
		mnl_attr_put(nlh, IFA_LOCAL, 4, a->a);
		mnl_attr_put(nlh, IFA_ADDRESS, 4, a->a);
	} else {
		ifa->ifa_flags = IFA_F_NODAD;
		mnl_attr_put(nlh, IFA_ADDRESS, 16, a->a);
		mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
	}
	rc = nl_ack(nl, nlh);
	return rc == -EEXIST ? 0 : rc;
}

int nl_route_add(struct nl *nl, const struct vnet_addr *dst, const struct vnet_addr *gw)
{
	struct vnet_addr d;
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	int len, rc;

	if (!addr_ok(dst) || !addr_ok(gw) || gw->family != dst->family)
		return -EINVAL;
	d = *dst;
	for (int i = 0; i < 16; i++) {		/* zero the host bits */
		int keep = (int)d.plen - 8 * i;

		if (keep <= 0)
			d.a[i] = 0;
		else if (keep < 8)
			d.a[i] &= (uint8_t)(0xff << (8 - keep));
	}
	len = dst->family == AF_INET ? 4 : 16;
	nlh = nl_msg(nl, RTM_NEWROUTE, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = dst->family;
	rtm->rtm_dst_len = dst->plen;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	if (dst->plen > 0)
		mnl_attr_put(nlh, RTA_DST, (size_t)len, d.a);
	mnl_attr_put(nlh, RTA_GATEWAY, (size_t)len, gw->a);
	rc = nl_ack(nl, nlh);
	return rc == -EEXIST ? 0 : rc;
}

/* ---- interface names ---------------------------------------------------- */

struct ifname {
	int index;
	char name[IFNAMSIZ];
};

struct dump {
	struct ifname *ifs;
	size_t nifs, cap;
	int family;
	int err;
};

static int link_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct dump *d = data;
	const struct nlattr *attr;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	if (d->nifs == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		struct ifname *n = realloc(d->ifs, cap * sizeof(*n));

		if (!n) {
			d->err = -ENOMEM;
			return MNL_CB_OK;
		}
		d->ifs = n;
		d->cap = cap;
	}
	d->ifs[d->nifs].index = ifi->ifi_index;
	snprintf(d->ifs[d->nifs].name, IFNAMSIZ, "if%d", ifi->ifi_index);
	mnl_attr_for_each(attr, nlh, sizeof(*ifi))
		if (mnl_attr_get_type(attr) == IFLA_IFNAME &&
		    mnl_attr_validate(attr, MNL_TYPE_STRING) >= 0)
			snprintf(d->ifs[d->nifs].name, IFNAMSIZ, "%s", mnl_attr_get_str(attr));
	d->nifs++;
	return MNL_CB_OK;
}

/* The names of the namespace's interfaces by index, into d->ifs (the
 * caller frees it). 0 or -errno. */
static int link_names(struct nl *nl, struct dump *d)
{
	struct nlmsghdr *nlh = nl_msg(nl, RTM_GETLINK, NLM_F_DUMP);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	int rc;

	ifi->ifi_family = AF_UNSPEC;
	rc = nl_talk(nl, nlh, link_dump_cb, d);
	return rc == 0 && d->err ? d->err : rc;
}

static const char *ifname_of(const struct dump *d, int index, char *buf, size_t n)
{
	for (size_t i = 0; i < d->nifs; i++)
		if (d->ifs[i].index == index)
			return d->ifs[i].name;
	snprintf(buf, n, "if%d", index);
	return buf;
}

/* A route of the main table of family, not a cached clone: 1 with its
 * attributes in tb, else 0. */
static int main_route(const struct nlmsghdr *nlh, int family,
		      const struct nlattr *tb[RTA_MAX + 1])
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	unsigned table = rtm->rtm_table;

	if (nlh->nlmsg_type != RTM_NEWROUTE || rtm->rtm_family != family ||
	    (rtm->rtm_flags & RTM_F_CLONED))
		return 0;
	mnl_attr_for_each(attr, nlh, sizeof(*rtm))
		if (mnl_attr_get_type(attr) <= RTA_MAX)
			tb[mnl_attr_get_type(attr)] = attr;
	if (tb[RTA_TABLE] && mnl_attr_get_payload_len(tb[RTA_TABLE]) == 4)
		table = mnl_attr_get_u32(tb[RTA_TABLE]);
	return table == RT_TABLE_MAIN;
}

/* ---- structured routes and neighbours (save / restore) ----------------- */

#include <linux/neighbour.h>

struct list {
	struct dump names;		/* interface names */
	int family;
	void *items;
	int n, cap;
	size_t size;
	int err;
};

static void *list_grow(struct list *l)
{
	if (l->n == l->cap) {
		int cap = l->cap ? l->cap * 2 : 32;
		void *p = realloc(l->items, (size_t)cap * l->size);

		if (!p) {
			l->err = -ENOMEM;
			return NULL;
		}
		l->items = p;
		l->cap = cap;
	}
	return memset((char *)l->items + (size_t)l->n * l->size, 0, l->size);
}

static void set_addr(struct vnet_addr *a, int family, const struct nlattr *attr,
		     unsigned plen)
{
	size_t alen = family == AF_INET ? 4 : 16;

	if (!attr || mnl_attr_get_payload_len(attr) != alen)
		return;
	a->family = (uint8_t)family;
	a->plen = (uint8_t)plen;
	memcpy(a->a, mnl_attr_get_payload(attr), alen);
}

static void set_dev(const struct dump *d, int index, char *dev)
{
	char buf[IFNAMSIZ + 8];
	const char *name = ifname_of(d, index, buf, sizeof(buf));
	size_t len = strnlen(name, IFNAMSIZ - 1);

	memcpy(dev, name, len);
	dev[len] = 0;
}

static int skip_dst(int family, const struct vnet_addr *dst)
{
	if (dst->family == 0 || dst->plen == 0)
		return 0;
	if (family == AF_INET)
		return (dst->a[0] & 0xf0) == 0xe0 ||			/* 224/4 */
		       (dst->a[0] == 169 && dst->a[1] == 254);		/* 169.254/16 */
	return dst->a[0] == 0xff || (dst->a[0] == 0xfe && (dst->a[1] & 0xc0) == 0x80);
}

static int route_list_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct list *l = data;
	const struct nlattr *tb[RTA_MAX + 1] = { 0 };
	struct nl_route r = { 0 }, *out;

	if (rtm->rtm_type != RTN_UNICAST || rtm->rtm_protocol == RTPROT_KERNEL ||
	    !main_route(nlh, l->family, tb))
		return MNL_CB_OK;
	r.dst.family = (uint8_t)l->family;
	r.dst.plen = rtm->rtm_dst_len;
	set_addr(&r.dst, l->family, tb[RTA_DST], rtm->rtm_dst_len);
	if (skip_dst(l->family, &r.dst))
		return MNL_CB_OK;
	set_addr(&r.gw, l->family, tb[RTA_GATEWAY], l->family == AF_INET ? 32 : 128);
	if (tb[RTA_OIF] && mnl_attr_get_payload_len(tb[RTA_OIF]) == 4)
		set_dev(&l->names, (int)mnl_attr_get_u32(tb[RTA_OIF]), r.dev);
	r.protocol = rtm->rtm_protocol;
	if (tb[RTA_PRIORITY] && mnl_attr_get_payload_len(tb[RTA_PRIORITY]) == 4)
		r.metric = mnl_attr_get_u32(tb[RTA_PRIORITY]);
	if (tb[RTA_MULTIPATH]) {
		const struct rtnexthop *nh = mnl_attr_get_payload(tb[RTA_MULTIPATH]);
		int left = (int)mnl_attr_get_payload_len(tb[RTA_MULTIPATH]);

		while (left >= (int)sizeof(*nh) && nh->rtnh_len >= sizeof(*nh) &&
		       nh->rtnh_len <= left && r.nnh < NL_NH_MAX) {
			const struct nlattr *a = (const void *)RTNH_DATA(nh);
			int alleft = nh->rtnh_len - (int)RTNH_LENGTH(0);
			struct nl_nexthop *x = &r.nh[r.nnh++];

			while (mnl_attr_ok(a, alleft)) {
				if (mnl_attr_get_type(a) == RTA_GATEWAY)
					set_addr(&x->gw, l->family, a,
						 l->family == AF_INET ? 32 : 128);
				alleft -= (int)MNL_ALIGN(a->nla_len);
				a = mnl_attr_next(a);
			}
			set_dev(&l->names, nh->rtnh_ifindex, x->dev);
			left -= (int)RTNH_ALIGN(nh->rtnh_len);
			nh = RTNH_NEXT(nh);
		}
		if (r.nnh) {
			r.gw = r.nh[0].gw;
			snprintf(r.dev, sizeof(r.dev), "%s", r.nh[0].dev);
		}
	}
	if (!(out = list_grow(l)))
		return MNL_CB_OK;
	*out = r;
	l->n++;
	return MNL_CB_OK;
}

/* The states of an entry with a usable link-layer address, as nl.h says:
 * the kernel's NUD_VALID without NOARP. */
#define NEIGH_LISTED (NUD_PERMANENT | NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE)

static int neigh_list_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);
	struct list *l = data;
	const struct nlattr *attr, *tb[NDA_MAX + 1] = { 0 };
	struct nl_neigh ne = { 0 }, *out;

	if (nlh->nlmsg_type != RTM_NEWNEIGH || ndm->ndm_family != l->family ||
	    !(ndm->ndm_state & NEIGH_LISTED))
		return MNL_CB_OK;
	mnl_attr_for_each(attr, nlh, sizeof(*ndm))
		if (mnl_attr_get_type(attr) <= NDA_MAX)
			tb[mnl_attr_get_type(attr)] = attr;
	if (!tb[NDA_DST] || !tb[NDA_LLADDR] || mnl_attr_get_payload_len(tb[NDA_LLADDR]) != 6)
		return MNL_CB_OK;
	set_addr(&ne.ip, l->family, tb[NDA_DST], l->family == AF_INET ? 32 : 128);
	if (!ne.ip.family || skip_dst(l->family, &ne.ip))
		return MNL_CB_OK;
	memcpy(ne.lladdr, mnl_attr_get_payload(tb[NDA_LLADDR]), 6);
	set_dev(&l->names, ndm->ndm_ifindex, ne.dev);
	ne.state = ndm->ndm_state;
	if (!(out = list_grow(l)))
		return MNL_CB_OK;
	*out = ne;
	l->n++;
	return MNL_CB_OK;
}

static int list_once(struct nl *nl, int family, uint16_t type, size_t size,
		     mnl_cb_t cb, void **out, int *n)
{
	struct list l = { .family = family, .size = size };
	struct nlmsghdr *nlh;
	int rc = link_names(nl, &l.names);

	if (rc == 0) {
		nlh = nl_msg(nl, type, NLM_F_DUMP);
		if (type == RTM_GETROUTE) {
			struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

			rtm->rtm_family = (unsigned char)family;
		} else {
			struct ndmsg *ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));

			ndm->ndm_family = (unsigned char)family;
		}
		rc = nl_talk(nl, nlh, cb, &l);
		if (rc == 0 && l.err)
			rc = l.err;
	}
	free(l.names.ifs);
	if (rc < 0) {
		free(l.items);
		return rc;
	}
	*out = l.items;
	*n = l.n;
	return 0;
}

/* A dump of one family's routes or neighbours, again when the kernel
 * interrupted it (-EINTR: the table changed meanwhile). */
static int list_family(struct nl *nl, int family, uint16_t type, size_t size,
		       mnl_cb_t cb, void **out, int *n)
{
	int rc = -EINTR;

	*out = NULL;
	*n = 0;
	if (family != AF_INET && family != AF_INET6)
		return -EAFNOSUPPORT;
	for (int tries = 0; tries < 5 && rc == -EINTR; tries++)
		rc = list_once(nl, family, type, size, cb, out, n);
	return rc;
}

int nl_route_list(struct nl *nl, int family, struct nl_route **out, int *n)
{
	return list_family(nl, family, RTM_GETROUTE, sizeof(**out), route_list_cb,
			   (void **)out, n);
}

int nl_neigh_list(struct nl *nl, int family, struct nl_neigh **out, int *n)
{
	return list_family(nl, family, RTM_GETNEIGH, sizeof(**out), neigh_list_cb,
			   (void **)out, n);
}

static int route_add_full(struct nl *nl, const struct nl_route *r, int onlink)
{
	struct vnet_addr d = r->dst;
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	int len = r->dst.family == AF_INET ? 4 : 16, idx = 0, nhidx[NL_NH_MAX];

	/* interface indexes first: nl_ifindex uses the message buffer */
	for (int k = 0; k < r->nnh && k < NL_NH_MAX; k++)
		if ((nhidx[k] = nl_ifindex(nl, r->nh[k].dev)) < 0)
			return nhidx[k];
	if (r->nnh <= 1 && r->dev[0] && (idx = nl_ifindex(nl, r->dev)) < 0)
		return idx;
	addr_mask(&d);
	nlh = nl_msg(nl, RTM_NEWROUTE, NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = r->dst.family;
	rtm->rtm_dst_len = r->dst.plen;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = r->protocol;
	rtm->rtm_type = RTN_UNICAST;
	rtm->rtm_scope = r->gw.family || r->nnh > 1 ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	if (r->dst.plen > 0)
		mnl_attr_put(nlh, RTA_DST, (size_t)len, d.a);
	if (r->metric)
		mnl_attr_put_u32(nlh, RTA_PRIORITY, r->metric);
	if (r->nnh > 1) {
		struct nlattr *mp = mnl_attr_nest_start(nlh, RTA_MULTIPATH);

		for (int k = 0; k < r->nnh; k++) {
			struct rtnexthop *nh = mnl_nlmsg_get_payload_tail(nlh);

			memset(nh, 0, sizeof(*nh));
			nh->rtnh_ifindex = nhidx[k];
			nh->rtnh_flags = onlink ? RTNH_F_ONLINK : 0;
			nlh->nlmsg_len += MNL_ALIGN(sizeof(*nh));
			if (r->nh[k].gw.family)
				mnl_attr_put(nlh, RTA_GATEWAY, (size_t)len, r->nh[k].gw.a);
			nh->rtnh_len = (unsigned short)((char *)mnl_nlmsg_get_payload_tail(nlh) -
							(char *)nh);
		}
		mnl_attr_nest_end(nlh, mp);
	} else {
		if (idx > 0)
			mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)idx);
		if (r->gw.family)
			mnl_attr_put(nlh, RTA_GATEWAY, (size_t)len, r->gw.a);
		if (onlink)
			rtm->rtm_flags |= RTNH_F_ONLINK;
	}
	return nl_ack(nl, nlh);
}

int nl_route_add_full(struct nl *nl, const struct nl_route *r)
{
	int rc;

	if (!r || !addr_ok(&r->dst) || (r->gw.family && r->gw.family != r->dst.family))
		return -EINVAL;
	rc = route_add_full(nl, r, 0);
	if (rc == -ENETUNREACH || rc == -EHOSTUNREACH || rc == -EINVAL)
		rc = route_add_full(nl, r, 1);
	return rc;
}

int nl_neigh_add(struct nl *nl, const struct nl_neigh *ne)
{
	struct nlmsghdr *nlh;
	struct ndmsg *ndm;
	int idx;

	if (!ne || !addr_ok(&ne->ip))
		return -EINVAL;
	if ((idx = nl_ifindex(nl, ne->dev)) < 0)	/* before nl_msg: same buffer */
		return idx;
	nlh = nl_msg(nl, RTM_NEWNEIGH, NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE);
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = ne->ip.family;
	ndm->ndm_ifindex = idx;
	ndm->ndm_state = ne->state;
	mnl_attr_put(nlh, NDA_DST, ne->ip.family == AF_INET ? 4 : 16, ne->ip.a);
	mnl_attr_put(nlh, NDA_LLADDR, 6, ne->lladdr);
	return nl_ack(nl, nlh);
}
