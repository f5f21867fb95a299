/*
 * capfilter.c: the capture filter expressions of an interface
 * (doc/protocol.md, "Kernel filter").  The kernel runs them on every
 * frame, so that the junk a host on the LAN can send never wakes the
 * daemon; what needs a key (checksums aside, the HMAC) stays in vhid.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capfilter.h"

/* One term per run of consecutive vhids: at most 128 runs of 40 bytes. */
#define CF_SET_MAX	(128 * 48)
/* Four sets (any and routed, both families) and the fixed checks. */
#define CF_EXPR_MAX	(4 * CF_SET_MAX + 1024)

/*
 * The fixed checks (doc/protocol.md, "Receive checks"): IPv4 with a
 * header of 5 words or more (options are allowed), not a fragment,
 * protocol 112, a total length of the header and the 36 bytes of CARP,
 * all of it in the frame; CARP version 2, type 1 (advert), authlen 7.
 * `carp[n]` is byte n of the CARP header, after the IPv4 header.
 */
#define CF_IP4	"(ip and ip[0] & 0xf0 == 0x40 and ip[0] & 0x0f >= 5 " \
	"and ip[6:2] & 0x3fff == 0 and ip proto 112 " \
	"and ip[2:2] == (ip[0] & 0x0f) * 4 + 36 " \
	"and len >= 14 + (ip[0] & 0x0f) * 4 + 36 " \
	"and carp[0] == 0x21 and carp[3] == 7 and "
/* IPv6: CARP as the first next header, 36 bytes of payload, the same
 * CARP checks at offset 40. */
#define CF_IP6	"(ip6 and ip6[0] & 0xf0 == 0x60 and ip6[6] == 112 " \
	"and ip6[4:2] == 36 and len >= 14 + 40 + 36 " \
	"and ip6[40] == 0x21 and ip6[43] == 7 and "
/*
 * What the capture took before: protocol 112 over IPv4, or over IPv6
 * directly or after one extension header.
 */
#define CF_CARPISH "(ip proto 112 or ip6[6] == 112 or " \
	"(ip6 and (ip6[6] == 0 or ip6[6] == 43 or ip6[6] == 44 or " \
	"ip6[6] == 60 or ip6[6] == 51) and ip6[40] == 112))"

void
capfilter_set_add(struct capfilter_set *s, uint8_t vhid, bool routed)
{
	s->any[vhid / 8] |= (uint8_t)(1u << (vhid % 8));
	if (routed)
		s->routed[vhid / 8] |= (uint8_t)(1u << (vhid % 8));
}

bool
capfilter_set_empty(const struct capfilter_set *s)
{
	for (size_t i = 0; i < sizeof(s->any); i++)
		if (s->any[i] != 0)
			return false;
	return true;
}

static bool
has(const uint8_t *bits, unsigned v)
{
	return v < 256 && (bits[v / 8] >> (v % 8) & 1) != 0;
}

/*
 * "(F == 7 or (F >= 10 and F <= 12))" for the vhids of `bits`, F the
 * vhid field; a set that matches nothing when `bits` is empty.
 */
static void
set_expr(char *out, size_t len, const uint8_t *bits, const char *f)
{
	size_t	n = 0;
	int	runs = 0;

	n += (size_t)snprintf(out + n, len - n, "(");
	for (unsigned v = 1; v < 256; v++) {
		unsigned e = v;

		if (!has(bits, v))
			continue;
		while (has(bits, e + 1))
			e++;
		n += (size_t)snprintf(out + n, len - n, "%s", runs++ ? " or " : "");
		if (e == v)
			n += (size_t)snprintf(out + n, len - n, "%s == %u", f, v);
		else
			n += (size_t)snprintf(out + n, len - n,
			    "(%s >= %u and %s <= %u)", f, v, f, e);
		v = e;
	}
	if (runs == 0)		/* vhid 0 is no vhid: nothing passes */
		snprintf(out + n, len - n, "%s == 0 and %s == 1)", f, f);
	else
		snprintf(out + n, len - n, ")");
}

char *
capfilter_accept(const struct capfilter_set *s)
{
	char	*out, any[CF_SET_MAX], routed[CF_SET_MAX];
	char	 any6[CF_SET_MAX], routed6[CF_SET_MAX];

	if ((out = malloc(CF_EXPR_MAX)) == NULL)
		return NULL;
	set_expr(any, sizeof(any), s->any, "carp[1]");
	set_expr(routed, sizeof(routed), s->routed, "carp[1]");
	set_expr(any6, sizeof(any6), s->any, "ip6[41]");
	set_expr(routed6, sizeof(routed6), s->routed, "ip6[41]");
	/* The TTL (hop limit) is 255 unless the vhid's peers may be routed. */
	snprintf(out, CF_EXPR_MAX, "%s((ip[8] == 255 and %s) or %s)) or "
	    "%s((ip6[7] == 255 and %s) or %s))", CF_IP4, any, routed, CF_IP6,
	    any6, routed6);
	return out;
}

char *
capfilter_rejected(const char *accept)
{
	size_t	 len = strlen(accept) + sizeof(CF_CARPISH) + 32;
	char	*out;

	if ((out = malloc(len)) == NULL)
		return NULL;
	snprintf(out, len, "inbound and %s and not (%s)", CF_CARPISH, accept);
	return out;
}
