/*
 * senders.c: the CARP senders heard on a vhid (senders.h).
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "senders.h"

/* The source of `rx` as an IPv6 address, IPv4 mapped. */
static void
rx_addr(const struct carp_rx *rx, struct in6_addr *a)
{
	if (rx->af == AF_INET6) {
		*a = rx->src6;
		return;
	}
	memset(a, 0, sizeof(*a));
	a->s6_addr[10] = a->s6_addr[11] = 0xff;
	memcpy(a->s6_addr + 12, &rx->src.s_addr, 4);
}

/* Never accepted first, then seen longest ago. */
static size_t
victim(const struct senders *t)
{
	size_t	best = 0;
	bool	best_forged = t->s[0].adverts == 0;

	for (size_t i = 1; i < t->n; i++) {
		bool forged = t->s[i].adverts == 0;

		if ((forged && !best_forged) || (forged == best_forged &&
		    t->s[i].seen_ms < t->s[best].seen_ms)) {
			best = i;
			best_forged = forged;
		}
	}
	return best;
}

/* Room for more, if memory allows; else the table evicts as if full. */
static void
grow(struct senders *t)
{
	size_t		 cap = t->cap == 0 ? 2 : t->cap * 2;
	struct sender	*s;

	if (cap > SENDERS_MAX)
		cap = SENDERS_MAX;
	if ((s = realloc(t->s, cap * sizeof(*s))) == NULL)
		return;
	t->s = s;
	t->cap = cap;
}

static struct sender *
lookup(struct senders *t, const struct in6_addr *a, const uint8_t mac[6],
    const struct timespec *now)
{
	struct sender	*s;
	size_t		 i;

	for (i = 0; i < t->n; i++)
		if (memcmp(&t->s[i].addr, a, sizeof(*a)) == 0 &&
		    memcmp(t->s[i].mac, mac, 6) == 0)
			return &t->s[i];
	if (t->n == t->cap && t->cap < SENDERS_MAX)
		grow(t);
	if (t->cap == 0) {		/* no memory for even one */
		static struct sender scratch;

		t->evictions++;
		memset(&scratch, 0, sizeof(scratch));
		return &scratch;
	}
	if (t->n < t->cap)
		i = t->n++;
	else {
		i = victim(t);
		t->evictions++;
	}
	s = &t->s[i];
	memset(s, 0, sizeof(*s));
	s->addr = *a;
	memcpy(s->mac, mac, 6);
	s->first = *now;
	return s;
}

struct sender *
senders_heard(struct senders *t, const struct carp_rx *rx,
    enum carp_drop why, long long now_ms, const struct timespec *now)
{
	struct in6_addr	 a;
	struct sender	*s;

	rx_addr(rx, &a);
	s = lookup(t, &a, rx->src_mac, now);
	s->advbase = rx->adv.advbase;
	s->advskew = rx->adv.advskew;
	s->demote = rx->adv.demote;
	s->seen_ms = now_ms;
	s->last = *now;
	if (why == CARP_RX_OK)
		s->adverts++;
	else if ((unsigned)why < CARP_DROP_MAX)
		s->drops[why]++;
	return s;
}

void
senders_free(struct senders *t)
{
	free(t->s);
	memset(t, 0, sizeof(*t));
}

const char *
sender_addr(const struct sender *s, char *buf, size_t len)
{
	if (IN6_IS_ADDR_V4MAPPED(&s->addr))
		inet_ntop(AF_INET, s->addr.s6_addr + 12, buf, (socklen_t)len);
	else
		inet_ntop(AF_INET6, &s->addr, buf, (socklen_t)len);
	return buf;
}

const char *
sender_mac(const struct sender *s, char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", s->mac[0],
	    s->mac[1], s->mac[2], s->mac[3], s->mac[4], s->mac[5]);
	return buf;
}
