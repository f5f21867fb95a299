/*
 * neigh.h: the kernel's side of unicast adverts (--peer).  A peer's MAC
 * address as the kernel's neighbour table has it, kept up to date from
 * rtnetlink; resolution of a peer the table lacks; and a sink that
 * keeps the kernel from answering unicast adverts with ICMP.
 */
#ifndef CARPD_NEIGH_H
#define CARPD_NEIGH_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

struct event_base;
struct neigh;

/* NULL (logged) when the sockets cannot be opened. */
struct neigh	*neigh_new(struct event_base *);
void		 neigh_free(struct neigh *);
/*
 * The MAC address of `addr` (a struct in_addr or in6_addr, by `family`)
 * on interface `ifindex`: 0 when the kernel has a usable one; -1 when
 * not (yet), after asking the kernel to resolve it (at most once a
 * second per address).
 */
int		 neigh_lookup(struct neigh *, int ifindex, int family,
		    const void *addr, uint8_t mac[6]);

#endif
