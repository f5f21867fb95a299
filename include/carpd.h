/*
 * carpd.h: the objects of the daemon.  One struct carpd owns the event
 * base, the interfaces and the vhids; an interface owns the capture and
 * injection handles that all of its vhids share; a vhid owns its state
 * machine, timers and script queue.  No protocol state lives in globals.
 */
#ifndef CARPD_CARPD_H
#define CARPD_CARPD_H

#include <sys/queue.h>
#include <sys/types.h>
#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>
#include <netinet/in.h>

#include "demote.h"
#include "fsm.h"
#include "log.h"
#include "proto.h"
#include "script.h"
#include "senders.h"
#include "vhid_config.h"

struct event_base;
struct event;
struct iface;
struct carpd;
struct control;
struct child;
struct carpd_options;
struct tracker;
struct notify;

/* One slot per value of the 8-bit vhid field: dispatch without a scan. */
#define CARPD_VHID_SLOTS	256
#define CARPD_MAX_SIGNALS	8	/* watched by the network process */

/*
 * What an interface does with a captured frame.  net.c calls it; the
 * wiring (carpd.c) registers the vhid runtime's vhid_rx, a unit test
 * its own.
 */
typedef void	iface_rx_cb(struct iface *, const uint8_t *frame,
		    size_t caplen, size_t wirelen, void *arg);

struct neigh;

/* ARP balancing on an interface (balance.c), counted for carpctl status. */
struct balance_stats {
	uint64_t		requests;	/* ARP or NS, for a balanced address */
	uint64_t		answered;	/* by us, for a node we master */
	uint64_t		limited;	/* ours, not sent: over the rate */
	uint64_t		others;		/* another host's node */
	uint64_t		send_errors;
};

struct vhid_stats {
	uint64_t		adverts_sent;
	uint64_t		adverts_rx;
	uint64_t		drops[CARP_DROP_MAX];
	uint64_t		transitions;
	uint64_t		transitions_by[FSM_R_MAX]; /* by reason */
	uint64_t		peer_unresolved; /* adverts a peer missed */
	uint64_t		answers;	/* to less preferred masters */
	uint64_t		answers_limited; /* not sent: over the rate */
};

/* Why a vhid, or its interface, does not run yet. */
enum carpd_wait {
	CARPD_WAIT_NONE = 0,
	CARPD_WAIT_IF_MISSING,		/* no interface of that name */
	CARPD_WAIT_IF_DOWN,		/* administratively down */
	CARPD_WAIT_IF_UNUSABLE,		/* there, but cannot be opened */
	CARPD_WAIT_NO_CARRIER,		/* up, no carrier */
	CARPD_WAIT_NO_ADDR,		/* no address to send from */
	CARPD_WAIT_MAX
};

struct vhid {
	TAILQ_ENTRY(vhid)	 entry;
	struct vhid_config	 cfg;
	/* Of cfg.nvips and cfg.nvips6 (+1) only: 4094 vhids in memory. */
	struct in_addr		*sorted_vips;	/* HMAC order */
	size_t			 nsorted;
	struct in6_addr		*sorted_vips6;	/* HMAC form */
	size_t			 nsorted6;
	bool			 src6_from_iface; /* no IPv6 srcip given */
	bool			 src_from_iface; /* no srcip given */
	bool			 src_lost;	/* the interface has no address left */
	bool			 carpdev;	/* no address: sends from a VIP */
	uint32_t		 peer_waiting;	/* bit i: peer i unresolved, said */
	uint32_t		 peer_resolved;	/* bit i: peer i's MAC, last looked */
	uint8_t			 peer_mac[CARPD_MAX_PEERS][6];
	struct log_ratelimit	 mixed_rl;	/* unicast and multicast mixed */
	bool			 started;	/* FSM_EV_START given */
	enum carpd_wait		 wait;		/* why not started, last logged */
	struct iface		*ifp;
	struct carpd		*cd;
	struct fsm		 fsm;
	struct event		*advert_ev;
	uint64_t		 advert_due;	/* next advert, CLOCK_MONOTONIC us */
	uint32_t		 phase;		/* in the interval, of 2^32 */
	struct event		*down_ev;
	struct event		*garp_ev;
	unsigned		 garp_left;	/* of the current burst */
	bool			 garp_second_due;
	uint64_t		 counter;	/* last counter sent */
	struct in_addr		 master;	/* last master heard, or us */
	struct in6_addr		 master6;	/* the same, heard over IPv6 */
	bool			 master_is6;	/* which of the two is current */
	enum fsm_reason		 last_reason;
	struct timespec		 last_change;	/* CLOCK_REALTIME */
	struct script_queue	*scripts;	/* handed on when reloaded */
	uint32_t		 gen;		/* configuration it came from */
	struct carp_peer	 peers[CARP_MAX_PEERS];
	struct vhid_stats	 stats;
	struct senders		 senders;	/* who was heard (carpctl peers) */
	/* Demotion (demote.h): its groups, and what it adds to them. */
	struct demote_group	*dgroups[CARPD_MAX_GROUPS + 2];
	size_t			 ndgroups;
	bool			 link_demoted;	/* its link is down */
	bool			 senderr_demoted;
	unsigned		 senderrs;	/* in a row */
	unsigned		 sendoks;	/* in a row, while demoted */
	struct event		*preempt_ev;	/* the preempt delay ends */
	struct log_ratelimit	 answer_rl;	/* answers to lesser masters */
	bool			 sync_pull;	/* took over: its sync group follows */
};
TAILQ_HEAD(vhid_list, vhid);

struct iface {
	TAILQ_ENTRY(iface)	 entry;
	char			 name[IF_NAMESIZE];
	int			 ifindex;
	uint8_t			 mac[6];
	struct in_addr		 addr;		/* first own IPv4 address, or 0 */
	struct in6_addr		 addr6;		/* link-local, else first IPv6 */
	struct in6_addr		 addr6g;	/* first not link-local, or :: */
	void			*pcap;		/* pcap_t */
	void			*libnet;	/* libnet_t */
	int			 mcast_fd;	/* holds group memberships */
	int			 mcast6_fd;	/* the IPv6 ones */
	bool			 present;	/* exists; handles open */
	bool			 opened;	/* was open once */
	enum carpd_wait		 absent;	/* why not present */
	char			 err[320];	/* what opening it said */
	bool			 link_up;	/* IFF_UP and IFF_RUNNING */
	bool			 rx_dead;	/* capture failed: reopen when up */
	struct event		*rx_ev;
	struct event		*poll_ev;	/* read on a timer: a flood */
	bool			 polling;	/* rx_ev off, poll_ev on */
	long long		 rx_window_start; /* ms: frames counted since */
	unsigned		 rx_window;	/* frames in that window */
	struct carpd		*cd;
	iface_rx_cb		*rx_cb;		/* every captured frame */
	void			*rx_arg;
	struct vhid		*by_vhid[CARPD_VHID_SLOTS];
	uint64_t		 drops[CARP_DROP_MAX];	/* before a vhid is known */
	struct log_ratelimit	 rl;
	/*
	 * ARP balancing: a capture handle of its own for the requests for
	 * the balanced addresses (so the adverts' filter and queue stay as
	 * they are), the answers' token bucket and counters.
	 */
	struct in_addr		 bal[CARPD_MAX_BALANCED];
	size_t			 nbal;
	struct in6_addr		 bal6[CARPD_MAX_BALANCED];
	size_t			 nbal6;
	void			*arp_pcap;	/* pcap_t; NULL: none */
	struct event		*arp_ev;
	iface_rx_cb		*arp_cb;	/* every ARP request captured */
	void			*arp_arg;
	struct log_ratelimit	 arp_tb;	/* the answers' token bucket */
	struct balance_stats	 bal_stats;
	char			*filter;	/* the capture's, as set */
	struct event		*filter_ev;	/* the vhids changed */
	int			 count_fd;	/* counts what it refuses */
	bool			 count_failed;	/* said once */
	uint64_t		 kernel_filtered; /* read so far */
};
TAILQ_HEAD(iface_list, iface);

struct carpd {
	struct event_base	*base;
	struct iface_list	 ifaces;
	struct vhid_list	 vhids;
	struct script_runner	 runner;
	struct event		*sig_ev[CARPD_MAX_SIGNALS];
	size_t			 nsig;
	struct event		*exit_ev;	/* bounds the shutdown wait */
	struct control		*control;	/* control socket, or NULL */
	iface_rx_cb		*iface_rx;	/* given to each new iface */
	void			*iface_rx_arg;
	iface_rx_cb		*arp_rx;	/* the same, for ARP requests */
	void			*arp_rx_arg;
	int			 nl_fd;		/* rtnetlink link events */
	struct neigh		*neigh;		/* peers' MACs; NULL: no peers */
	struct child		*child;		/* channel to the parent, or NULL */
	uint32_t		 gen;		/* configuration running */
	struct event		*nl_ev;
	const char		*config_path;	/* NULL: vhid from the command line */
	const struct carpd_options *opts;
	pid_t			 main_pid;	/* the process users signal */
	unsigned		 script_timeout;
	struct demote_list	 demotes;	/* every group ever named */
	struct event		*startup_ev;	/* the start-up demotion ends */
	struct event		*demote_ev;	/* vhid_demote_changed() */
	struct event		*sync_ev;	/* syncgroup_transition() */
	struct tracker		*track;		/* without a parent: ours */
	struct notify		*notify;	/* without a parent: ours */
	struct sdnotify		*sd;		/* without a parent: systemd */
	/* Every transition (vhid.c calls up); the wiring's. */
	void			(*transition_cb)(struct carpd *,
				    struct vhid *, const struct fsm_output *);
	bool			 notifying;	/* notify-fifo or systemd */
	uint64_t		 track_dropped;	/* reports for no group of ours */
	uint32_t		 nphases;	/* vhids given an advert phase */
	uint32_t		 nvhids;	/* in the list, for the phases */
	struct log_ratelimit	 track_rl;
	/* Virtual MAC device up or down (vmac.h): privsep or local. */
	void			(*vmac_cb)(void *, const struct vhid *, int up);
	void			*vmac_arg;
	bool			 exiting;
	int			 exit_code;
	bool			 ip6_forwarding; /* read at start: NA Router flag */
	struct timespec		 start_time;	/* CLOCK_REALTIME */
	uint64_t		 reloads;	/* configurations applied */
};

#endif
