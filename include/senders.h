/*
 * senders.h: every CARP sender heard on a vhid, for `carpctl peers`: a
 * table of at most SENDERS_MAX per vhid, kept by the network process
 * from its receive path (vhid.c).  A sender is a source address and a
 * source MAC address; it counts the adverts accepted from it and the
 * drops it can be blamed for (those decided once the vhid is known:
 * wrong digest, replayed counter, not a peer ...).  A full table evicts
 * to make room, and counts it: first the sender seen longest ago among
 * those never accepted (forged sources, other passwords), then the one
 * seen longest ago, so that a flood of forged sources churns only its
 * own entries.  Pure: the caller gives the times.
 */
#ifndef CARPD_SENDERS_H
#define CARPD_SENDERS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <netinet/in.h>

#include "proto.h"

#define SENDERS_MAX	16

struct sender {
	struct in6_addr	addr;		/* IPv4 as an IPv4-mapped address */
	uint8_t		mac[6];
	/* From the last advert heard, accepted or not. */
	uint8_t		advbase;
	uint8_t		advskew;
	uint8_t		demote;
	long long	seen_ms;	/* monotonic: the eviction order */
	struct timespec	first;		/* CLOCK_REALTIME */
	struct timespec	last;
	uint64_t	adverts;	/* accepted */
	uint64_t	drops[CARP_DROP_MAX];
};

/*
 * Grown as senders are heard, to SENDERS_MAX: most vhids hear one or two
 * (4094 vhids would hold 16 MiB of empty entries otherwise).  Zeroed is
 * empty; senders_free() gives the memory back.
 */
struct senders {
	struct sender	*s;
	size_t		 n;
	size_t		 cap;
	uint64_t	 evictions;
};

/*
 * A frame from `rx` reached the vhid; `why` is CARP_RX_OK (accepted) or
 * the reason it was dropped.  `now_ms` is monotonic, `now` the wall
 * clock.  Returns the sender's entry.
 */
struct sender	*senders_heard(struct senders *, const struct carp_rx *,
		    enum carp_drop why, long long now_ms,
		    const struct timespec *now);
void		 senders_free(struct senders *);
/* The sender's address as text: IPv4 for an IPv4-mapped one. */
const char	*sender_addr(const struct sender *, char *buf, size_t len);
/* "02:00:5e:00:01:07" */
const char	*sender_mac(const struct sender *, char *buf, size_t len);

#endif
