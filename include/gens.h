/*
 * gens.h: the root parent's configurations, by generation.  The parent
 * numbers every configuration it hands to the network child; the child
 * tags each run request with the generation its vhid came from and acks
 * a configuration once it runs with it.  A generation is kept until a
 * later one is acked: the channel is ordered, so no request of an older
 * one can follow that ack.  A request is allowed only if the vhid it
 * names, in the generation it names, has that script and that address.
 */
#ifndef CARPD_GENS_H
#define CARPD_GENS_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "script.h"

#define GENS_MAX	8	/* configurations not yet acked, and the last */

struct gen {
	uint32_t		id;
	struct config		cf;
	bool			owned;	/* config_free at the end */
};

struct gens {
	struct gen		g[GENS_MAX];
	size_t			n;		/* oldest first */
	uint32_t		last_id;
};

void	gens_init(struct gens *);
/*
 * Keep `cf` as the next generation (owned: freed when dropped; else
 * the caller's); returns its number, 0 if GENS_MAX are kept already.
 */
uint32_t gens_add(struct gens *, const struct config *, bool owned);
/* Forget `id` again (it could not be sent). */
void	gens_drop_last(struct gens *);
/* The child runs with `id`: the older ones go. -1: no such generation. */
int	gens_ack(struct gens *, uint32_t id);
const struct config *gens_find(const struct gens *, uint32_t id);
const struct config *gens_latest(const struct gens *);
/* Vhids in all kept generations (to bound the parent's queues). */
size_t	gens_nvhids(const struct gens *);
/* Vhid `vhid` on `ifname` in generation `gen`, or NULL with *why. */
const struct vhid_config *gens_vhid(const struct gens *, uint32_t gen,
	    unsigned vhid, const char *ifname, const char **why);
/*
 * The vhid settings a request may be built from, or NULL with *why:
 * unknown generation, no such vhid on that interface, or a request that
 * script_build refuses.
 */
const struct vhid_config *gens_authorise(const struct gens *,
	    const struct script_req *, const char **why);
void	gens_free(struct gens *);

#endif
