/*
 * capfilter.h: the capture filters of an interface, as pcap filter
 * expressions built from the vhids configured on it (doc/protocol.md,
 * "Kernel filter").  Pure: strings in, strings out; net.c compiles them.
 */
#ifndef CARPD_CAPFILTER_H
#define CARPD_CAPFILTER_H

#include <stdbool.h>
#include <stdint.h>

/* The vhids of one interface: bit v of `any` for each, of `routed` too
 * for those whose peers may be routed (any TTL or hop limit). */
struct capfilter_set {
	uint8_t	any[32];
	uint8_t	routed[32];
};

void	 capfilter_set_add(struct capfilter_set *, uint8_t vhid, bool routed);
/* No vhid: the filter takes nothing (compile it without optimizing). */
bool	 capfilter_set_empty(const struct capfilter_set *);

/*
 * What the capture takes: CARP adverts that pass every check that needs
 * no key, for a vhid of the set.  malloc'd; NULL only if out of memory.
 */
char	*capfilter_accept(const struct capfilter_set *);

/*
 * What the counting socket takes: inbound frames of protocol 112 that
 * `accept` refuses, so that junk stays visible.  malloc'd, or NULL.
 */
char	*capfilter_rejected(const char *accept);

#endif
