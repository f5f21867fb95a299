/*
 * balance.h: ARP balancing (doc/protocol.md, "ARP balancing").  Several
 * vhids, the nodes, serve the same IPv4 addresses; the node of an ARP
 * request is chosen from the requester's address, and only the master
 * of that node answers, with the node's virtual MAC, from the network
 * process's own packet socket.  The answers of an interface share one
 * token bucket.
 */
#ifndef CARPD_BALANCE_H
#define CARPD_BALANCE_H

#include <stddef.h>
#include <stdint.h>

struct carpd;
struct iface;

/* The answers' token bucket of each interface: BURST, then one per MS. */
#define BALANCE_ANSWER_BURST	200
#define BALANCE_ANSWER_MS	1	/* 1000 a second */

/*
 * Every interface captures the ARP requests for the balanced addresses
 * of its vhids, and no others: after the vhids were made or changed.
 */
void	balance_refresh(struct carpd *);
/* The ARP capture's receive callback (iface_rx_cb); `arg` is unused. */
void	balance_rx(struct iface *, const uint8_t *frame, size_t caplen,
	    size_t wirelen, void *arg);

#endif
