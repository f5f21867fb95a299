/*
 * vhid_priv.h: what the three files of the vhid runtime share, and
 * nothing else includes: vhid.c (timers, start, the actions of a
 * transition), vhid_send.c (adverts, gratuitous ARP and neighbour
 * advertisements) and vhid_rx.c (received adverts: checks, drops,
 * senders, the election event).
 */
#ifndef CARPD_VHID_PRIV_H
#define CARPD_VHID_PRIV_H

#include <sys/time.h>
#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>
#include <event2/util.h>

#include "fsm.h"
#include "proto.h"
#include "vhid.h"

/* vhid.c */
long long	vhid_now_ms(void);
struct timeval	vhid_us_to_tv(uint64_t us);
int		vhid_peer_lookup(struct vhid *, size_t i, uint8_t mac[6]);
/* A send's outcome, for the send-error demotion. */
void		vhid_senderr_count(struct vhid *, bool ok);
/* The vhid's source addresses, for a log line. */
const char	*vhid_sources(const struct vhid *, char *buf, size_t len);
/* An IPv6 source as the tie-break sees it. */
struct in_addr	vhid_tie6(const struct in6_addr *);
/* Carry out what fsm_step() returned. */
void		vhid_apply(struct vhid *, const struct fsm_output *);

/* vhid_send.c */
bool		vhid_own_mac(const struct vhid *, const uint8_t mac[6]);
void		vhid_src_mac(const struct vhid *, uint8_t mac[6]);
void		vhid_vipset(const struct vhid *, struct carp_vipset *);
void		vhid_send_advert(struct vhid *, uint8_t advbase,
		    uint8_t advskew);
void		vhid_send_advert4(struct vhid *, uint8_t advbase,
		    uint8_t advskew);
void		vhid_send_garp(struct vhid *);
void		vhid_garp_burst(struct vhid *);
void		vhid_garp_stop(struct vhid *);
uint64_t	vhid_garp_second_ms(const struct vhid *);
void		vhid_on_garp_timer(evutil_socket_t, short, void *);

#endif
