/*
 * gen_seeds.c: writes the seed frames of fuzz/corpus/packet/ with the
 * daemon's own carp_frame_build(), so that they decode and carry the
 * digest fuzz_packet.c checks against.  Run by hand when the codec
 * changes (see fuzz/README); the output is committed.
 *
 *	gen_seeds DIR
 */
#include "config.h"

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "fsm.h"
#include "proto.h"
#include "fuzz_packet.h"

#define MAXF	256

static const char *dir;

static void
put(const char *name, const uint8_t *f, size_t len)
{
	char	 path[1024];
	FILE	*fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "wb")) == NULL)
		err(1, "%s", path);
	if (fwrite(f, 1, len, fp) != len || fclose(fp) != 0)
		err(1, "%s", path);
}

static void
fix_ip_cksum(uint8_t *f)
{
	uint8_t	*ip = f + ETH_HDR_LEN;
	size_t	 ihl = (size_t)(ip[0] & 0x0f) * 4;
	uint16_t c;

	ip[10] = ip[11] = 0;
	c = inet_cksum(ip, ihl);
	ip[10] = c >> 8;
	ip[11] = c & 0xff;
}

/* An advert as a peer would send it, with the harness's key and VIPs. */
static size_t
advert(uint8_t *f, uint8_t vhid, uint8_t advbase, uint8_t advskew,
    uint64_t counter, const char *src)
{
	static const char		*const names[3] = { FUZZ_VIP0,
					    FUZZ_VIP1, FUZZ_VIP2 };
	struct carp_frame_params	 p;
	struct carp_advert		 a;
	struct in_addr			 vips[3];
	size_t				 n = FUZZ_NVIPS(vhid);
	const uint8_t			 smac[6] = { 0x02, 0, 0x5e, 0, 0x01, vhid };
	const uint8_t			 dmac[6] = { 0x01, 0, 0x5e, 0, 0, 0x12 };

	for (size_t i = 0; i < 3; i++)
		inet_pton(AF_INET, names[i], &vips[i]);
	n = carp_sort_vips(vips, n);
	memset(&p, 0, sizeof(p));
	memcpy(p.src_mac, smac, 6);
	memcpy(p.dst_mac, dmac, 6);
	inet_pton(AF_INET, src, &p.src);
	inet_pton(AF_INET, CARP_DEFAULT_GROUP, &p.dst);
	p.ip_id = (uint16_t)(0x1000 + vhid);
	p.tos = 0x10;
	memset(&a, 0, sizeof(a));
	a.version = CARP_VERSION;
	a.type = CARP_TYPE_ADVERT;
	a.vhid = vhid;
	a.advbase = advbase;
	a.advskew = advskew;
	a.authlen = CARP_AUTHLEN;
	a.counter = counter;
	carp_hmac((const uint8_t *)FUZZ_KEY, strlen(FUZZ_KEY), vhid, vips, n,
	    counter, a.md);
	return carp_frame_build(&p, &a, f);
}

/* An advert followed by an Ethernet trailer: fsm settings and events. */
static void
with_trailer(const char *name, const uint8_t *f, size_t len,
    const uint8_t *t, size_t tlen)
{
	uint8_t buf[MAXF];

	memcpy(buf, f, len);
	memcpy(buf + len, t, tlen);
	put(name, buf, len + tlen);
}

int
main(int argc, char **argv)
{
	uint8_t	f[MAXF], g[MAXF];
	size_t	len;

	if (argc != 2)
		errx(2, "usage: gen_seeds DIR");
	dir = argv[1];

	/* Valid adverts, each with its own digest. */
	len = advert(f, 1, 1, 0, 0x0102030405060708ULL, "192.0.2.2");
	put("advert-vhid1", f, len);
	len = advert(f, 2, 1, 100, 1, "192.0.2.3");
	put("advert-vhid2-skew100", f, len);
	len = advert(f, 3, 0, 50, 0xffffffffffffffffULL, "192.0.2.4");
	put("advert-vhid3-base0", f, len);
	len = advert(f, 255, 3, 254, 42, "198.51.100.7");
	put("advert-vhid255", f, len);
	len = advert(f, 7, CARP_BOWOUT, CARP_BOWOUT, 99, "192.0.2.2");
	put("advert-bowout", f, len);

	/*
	 * Trailers: flags (1 preempt, 2 neutral, 4 shutdown, 0x18 down
	 * formula), our advbase, advskew, deadratio, then one event per
	 * byte (FSM_EV_* modulo 9; on an advert 0x80 = from ourselves,
	 * 0x40 = bow-out).
	 */
	len = advert(f, 1, 1, 100, 5, "192.0.2.2");
	with_trailer("fsm-preempt", f, len, (const uint8_t[]){ 0x01, 1, 0, 3,
	    FSM_EV_ADVERT, FSM_EV_DOWN_TIMER, FSM_EV_ADVERT,
	    FSM_EV_ADVERT_TIMER, FSM_EV_FORCE_BACKUP, FSM_EV_ADVERT,
	    FSM_EV_DOWN_TIMER, FSM_EV_SHUTDOWN }, 12);
	len = advert(f, 2, 1, 0, 6, "192.0.2.9");
	with_trailer("fsm-master-yields", f, len, (const uint8_t[]){ 0x02, 1,
	    10, 3, FSM_EV_DOWN_TIMER, FSM_EV_ADVERT, FSM_EV_FORCE_MASTER,
	    FSM_EV_ADVERT | 0x80, FSM_EV_LINK_DOWN, FSM_EV_LINK_UP,
	    FSM_EV_ADVERT | 0x40, FSM_EV_FORCE_BACKUP }, 12);
	len = advert(f, 4, 0, 20, 7, "192.0.2.5");
	with_trailer("fsm-openbsd-base0", f, len, (const uint8_t[]){ 0x15, 0,
	    20, 1, FSM_EV_ADVERT, FSM_EV_DOWN_TIMER, FSM_EV_ADVERT_TIMER,
	    FSM_EV_SHUTDOWN, FSM_EV_START, FSM_EV_ADVERT | 0x40 }, 10);
	len = advert(f, 5, 1, 0, 8, "192.0.2.6");
	memset(g, 0, sizeof(g));
	with_trailer("eth-padding", f, len, g, 10);

	/* IP options: IHL 6 with four NOPs. */
	len = advert(f, 1, 1, 0, 9, "192.0.2.2");
	memcpy(g, f, ETH_HDR_LEN + IP4_HDR_LEN);
	memset(g + ETH_HDR_LEN + IP4_HDR_LEN, 1, 4);
	memcpy(g + ETH_HDR_LEN + IP4_HDR_LEN + 4, f + ETH_HDR_LEN + IP4_HDR_LEN,
	    CARP_HDR_LEN);
	g[ETH_HDR_LEN] = 0x46;
	g[ETH_HDR_LEN + 3] = IP4_HDR_LEN + 4 + CARP_HDR_LEN;
	fix_ip_cksum(g);
	put("ip-options", g, len + 4);

	/* Truncated. */
	put("trunc-13", f, 13);
	put("trunc-34", f, 34);
	put("trunc-69", f, len - 1);

	/* Drops, one per check. */
	memcpy(g, f, len);
	g[12] = 0x86; g[13] = 0xdd;
	put("drop-ethertype", g, len);
	memcpy(g, f, len);
	g[ETH_HDR_LEN + 8] = 64;
	fix_ip_cksum(g);
	put("drop-ttl", g, len);
	memcpy(g, f, len);
	g[ETH_HDR_LEN + 6] = 0x20;		/* MF */
	fix_ip_cksum(g);
	put("drop-fragment", g, len);
	memcpy(g, f, len);
	g[ETH_HDR_LEN + 11] ^= 1;
	put("drop-ip-cksum", g, len);
	memcpy(g, f, len);
	g[ETH_HDR_LEN + IP4_HDR_LEN + 20] ^= 1;
	put("drop-carp-cksum", g, len);
	{
		struct carp_frame_params	p;
		struct carp_advert		a;
		struct carp_rx			rx;

		if (carp_rx_decode(f, len, &rx) != CARP_RX_OK)
			errx(1, "own advert does not decode");
		memset(&p, 0, sizeof(p));
		memcpy(p.src_mac, rx.src_mac, 6);
		memcpy(p.dst_mac, rx.dst_mac, 6);
		p.src = rx.src;
		p.dst = rx.dst;
		a = rx.adv;
		a.version = 3;
		put("drop-version", g, carp_frame_build(&p, &a, g));
		a = rx.adv;
		a.type = 2;
		put("drop-type", g, carp_frame_build(&p, &a, g));
		a = rx.adv;
		a.authlen = 0;
		put("drop-authlen", g, carp_frame_build(&p, &a, g));
	}

	/* VRRPv2 on the same protocol and group: 20 + 4n bytes. */
	memcpy(g, f, ETH_HDR_LEN + IP4_HDR_LEN);
	{
		uint8_t		*v = g + ETH_HDR_LEN + IP4_HDR_LEN;
		struct in_addr	 vip;
		uint16_t	 c;

		memset(v, 0, 24);
		v[0] = 0x21;			/* version 2, advertisement */
		v[1] = 1;			/* VRID */
		v[2] = 100;			/* priority */
		v[3] = 1;			/* one address */
		v[5] = 1;			/* advert interval */
		inet_pton(AF_INET, FUZZ_VIP0, &vip);
		memcpy(v + 8, &vip, 4);
		c = inet_cksum(v, 24);
		v[6] = c >> 8;
		v[7] = c & 0xff;
		g[ETH_HDR_LEN + 3] = IP4_HDR_LEN + 24;
		fix_ip_cksum(g);
		put("vrrp-v2", g, ETH_HDR_LEN + IP4_HDR_LEN + 24);
	}

	/* Not IP at all: the daemon's own gratuitous ARP. */
	{
		const uint8_t	mac[6] = { 0x02, 0, 0x5e, 0, 0x01, 0x01 };
		struct in_addr	vip;

		inet_pton(AF_INET, FUZZ_VIP0, &vip);
		put("garp", g, garp_frame_build(mac, vip, g));
	}
	return 0;
}
