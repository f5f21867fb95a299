/*
 * gens.c: the root parent's configurations by generation, and the check
 * of a run request against them (gens.h).  Pure: no I/O, no logging.
 */
#include "config.h"

#include <string.h>

#include "gens.h"

void
gens_init(struct gens *gs)
{
	memset(gs, 0, sizeof(*gs));
}

uint32_t
gens_add(struct gens *gs, const struct config *cf, bool owned)
{
	struct gen *g;

	if (gs->n == GENS_MAX)
		return 0;
	g = &gs->g[gs->n++];
	g->id = ++gs->last_id;
	g->cf = *cf;
	g->owned = owned;
	return g->id;
}

static void
gen_clear(struct gen *g)
{
	if (g->owned)
		config_free(&g->cf);
	memset(g, 0, sizeof(*g));
}

void
gens_drop_last(struct gens *gs)
{
	if (gs->n == 0)
		return;
	gen_clear(&gs->g[--gs->n]);
	gs->last_id--;
}

int
gens_ack(struct gens *gs, uint32_t id)
{
	size_t i, k;

	for (i = 0; i < gs->n && gs->g[i].id != id; i++)
		;
	if (i == gs->n)
		return -1;
	for (k = 0; k < i; k++)
		gen_clear(&gs->g[k]);
	memmove(&gs->g[0], &gs->g[i], (gs->n - i) * sizeof(gs->g[0]));
	memset(&gs->g[gs->n - i], 0, i * sizeof(gs->g[0]));
	gs->n -= i;
	return 0;
}

const struct config *
gens_find(const struct gens *gs, uint32_t id)
{
	for (size_t i = 0; i < gs->n; i++)
		if (gs->g[i].id == id)
			return &gs->g[i].cf;
	return NULL;
}

const struct config *
gens_latest(const struct gens *gs)
{
	return gs->n > 0 ? &gs->g[gs->n - 1].cf : NULL;
}

size_t
gens_nvhids(const struct gens *gs)
{
	size_t n = 0;

	for (size_t i = 0; i < gs->n; i++)
		n += gs->g[i].cf.nvhids;
	return n;
}

const struct vhid_config *
gens_vhid(const struct gens *gs, uint32_t gen, unsigned vhid,
    const char *ifname, const char **why)
{
	const struct config *cf;

	if ((cf = gens_find(gs, gen)) == NULL) {
		*why = "not a configuration in use";
		return NULL;
	}
	for (size_t i = 0; i < cf->nvhids; i++)
		if (cf->vhids[i].vhid == vhid &&
		    strcmp(cf->vhids[i].ifname, ifname) == 0)
			return &cf->vhids[i];
	*why = "no such vhid in that configuration";
	return NULL;
}

const struct vhid_config *
gens_authorise(const struct gens *gs, const struct script_req *rq,
    const char **why)
{
	const struct vhid_config	*vc;
	const char			*path;

	if ((*why = script_req_check(rq)) != NULL)
		return NULL;
	if ((vc = gens_vhid(gs, rq->gen, rq->vhid, rq->ifname, why)) == NULL)
		return NULL;
	path = rq->kind == SCRIPT_UP ? vc->upscript : vc->downscript;
	if (path == NULL) {
		*why = "the vhid has no such script";
		return NULL;
	}
	if (script_req_index(vc, rq) != -1)
		return vc;
	*why = "not an address of the vhid";
	return NULL;
}

void
gens_free(struct gens *gs)
{
	for (size_t i = 0; i < gs->n; i++)
		gen_clear(&gs->g[i]);
	gs->n = 0;
}
