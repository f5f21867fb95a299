/*
 * fuzz_packet.h: what fuzz_packet.c and gen_seeds.c agree on, so that
 * the seed adverts carry a digest the harness accepts.
 */
#ifndef CARPD_FUZZ_PACKET_H
#define CARPD_FUZZ_PACKET_H

#define FUZZ_KEY	"fuzz-secret"
#define FUZZ_VIP0	"192.0.2.10"
#define FUZZ_VIP1	"192.0.2.11"
#define FUZZ_VIP2	"192.0.2.12"
/* The harness verifies against 1 to 3 of the VIPs, by the vhid. */
#define FUZZ_NVIPS(vhid)	(1 + (vhid) % 3)
#define FUZZ_SELF	"192.0.2.1"	/* the fsm's own address */

#endif
