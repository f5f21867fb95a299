/*
 * test_capfilter.c: the capture filters of src/capfilter.c, compiled by
 * libpcap and run (pcap_offline_filter, the same program the kernel
 * gets) on frames built here: each check that needs no key, for a given
 * vhid set, both families; and the expression text for small sets.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <pcap/pcap.h>

#include "capfilter.h"
#include "proto.h"

enum fault { F_NONE, F_TTL, F_FRAG, F_MF, F_VERSION, F_TYPE, F_AUTHLEN,
	F_SHORT, F_LENGTH, F_OPTIONS, F_PROTO, F_EXTHDR };

/* An IPv4 advert for `vhid` with one fault; its length in *len. */
static size_t
frame4(uint8_t *f, uint8_t vhid, enum fault flt)
{
	struct carp_advert	a = { .version = 2, .type = 1, .vhid = vhid,
				    .authlen = 7, .advbase = 1 };
	size_t			ihl = flt == F_OPTIONS ? 24 : 20;
	uint8_t			*ip = f + ETH_HDR_LEN;

	memset(f, 0, 128);
	f[12] = 0x08;
	ip[0] = (uint8_t)(0x40 | ihl / 4);
	ip[3] = (uint8_t)(ihl + CARP_HDR_LEN + (flt == F_LENGTH ? 4 : 0));
	ip[6] = flt == F_MF ? 0x20 : 0x40;
	ip[7] = flt == F_FRAG ? 8 : 0;
	ip[8] = flt == F_TTL ? 64 : 255;
	ip[9] = flt == F_PROTO ? 113 : CARP_PROTO;
	a.version = flt == F_VERSION ? 3 : 2;
	a.type = flt == F_TYPE ? 2 : 1;
	a.authlen = flt == F_AUTHLEN ? 6 : 7;
	carp_advert_encode(&a, ip + ihl);
	if (flt == F_SHORT)
		return ETH_HDR_LEN + ihl + 20;
	return ETH_HDR_LEN + ihl + CARP_HDR_LEN + (flt == F_LENGTH ? 4 : 0);
}

static size_t
frame6(uint8_t *f, uint8_t vhid, enum fault flt, uint8_t hlim)
{
	struct carp_advert	a = { .version = 2, .type = 1, .vhid = vhid,
				    .authlen = 7, .advbase = 1 };
	uint8_t			*ip = f + ETH_HDR_LEN;
	size_t			 ext = flt == F_EXTHDR ? 8 : 0;

	memset(f, 0, 160);
	f[12] = 0x86;
	f[13] = 0xdd;
	ip[0] = 0x60;
	ip[5] = (uint8_t)(CARP_HDR_LEN + ext);
	ip[6] = flt == F_EXTHDR ? 0 : CARP_PROTO;
	ip[7] = hlim;
	if (ext)
		ip[40] = CARP_PROTO;	/* hop-by-hop, then CARP */
	a.version = flt == F_VERSION ? 3 : 2;
	carp_advert_encode(&a, ip + IP6_HDR_LEN + ext);
	return ETH_HDR_LEN + IP6_HDR_LEN + ext + CARP_HDR_LEN;
}

static struct bpf_program
compile(const char *expr)
{
	pcap_t			*p = pcap_open_dead(DLT_EN10MB, 256);
	struct bpf_program	 prog;

	ck_assert_ptr_nonnull(p);
	ck_assert_msg(pcap_compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) == 0,
	    "%s: %s", expr, pcap_geterr(p));
	pcap_close(p);
	ck_assert_uint_lt(prog.bf_len, 4096);	/* BPF_MAXINSNS */
	return prog;
}

static int
passes(struct bpf_program *prog, const uint8_t *f, size_t len)
{
	struct pcap_pkthdr h = { .caplen = (bpf_u_int32)len,
				 .len = (bpf_u_int32)len };

	return pcap_offline_filter(prog, &h, f) != 0;
}

static struct bpf_program
accept_of(const struct capfilter_set *s)
{
	char			*e = capfilter_accept(s);
	struct bpf_program	 prog;

	ck_assert_ptr_nonnull(e);
	prog = compile(e);
	free(e);
	return prog;
}

START_TEST(ipv4_checks)
{
	struct capfilter_set	s = { { 0 }, { 0 } };
	struct bpf_program	p;
	uint8_t			f[128];

	capfilter_set_add(&s, 7, false);
	p = accept_of(&s);
	ck_assert(passes(&p, f, frame4(f, 7, F_NONE)));
	ck_assert(passes(&p, f, frame4(f, 7, F_OPTIONS)));
	ck_assert(!passes(&p, f, frame4(f, 8, F_NONE)));
	ck_assert(!passes(&p, f, frame4(f, 6, F_NONE)));
	for (int flt = F_TTL; flt <= F_PROTO; flt++)
		if (flt != F_OPTIONS)
			ck_assert_msg(!passes(&p, f, frame4(f, 7, (enum fault)flt)),
			    "fault %d passed", flt);
	pcap_freecode(&p);
}
END_TEST

/* --peer-routed: any TTL for that vhid, 255 still for the others. */
START_TEST(ipv4_routed)
{
	struct capfilter_set	s = { { 0 }, { 0 } };
	struct bpf_program	p;
	uint8_t			f[128];

	capfilter_set_add(&s, 7, false);
	capfilter_set_add(&s, 9, true);
	p = accept_of(&s);
	ck_assert(!passes(&p, f, frame4(f, 7, F_TTL)));
	ck_assert(passes(&p, f, frame4(f, 9, F_TTL)));
	ck_assert(passes(&p, f, frame4(f, 9, F_NONE)));
	ck_assert(!passes(&p, f, frame4(f, 9, F_FRAG)));
	ck_assert(!passes(&p, f, frame4(f, 8, F_TTL)));
	pcap_freecode(&p);
}
END_TEST

START_TEST(ipv6_checks)
{
	struct capfilter_set	s = { { 0 }, { 0 } };
	struct bpf_program	p;
	uint8_t			f[160];

	capfilter_set_add(&s, 7, false);
	capfilter_set_add(&s, 9, true);		/* routed: any hop limit */
	p = accept_of(&s);
	ck_assert(passes(&p, f, frame6(f, 7, F_NONE, 255)));
	ck_assert(!passes(&p, f, frame6(f, 7, F_NONE, 64)));
	ck_assert(passes(&p, f, frame6(f, 9, F_NONE, 64)));
	ck_assert(!passes(&p, f, frame6(f, 9, F_EXTHDR, 64)));
	ck_assert(!passes(&p, f, frame6(f, 8, F_NONE, 255)));
	ck_assert(!passes(&p, f, frame6(f, 7, F_EXTHDR, 255)));
	ck_assert(!passes(&p, f, frame6(f, 7, F_VERSION, 255)));
	ck_assert(!passes(&p, f, frame6(f, 7, F_NONE, 255) - 1));
	pcap_freecode(&p);
}
END_TEST

/* The counting socket takes what the capture refuses, and only CARP. */
START_TEST(rejected_is_the_complement)
{
	struct capfilter_set	s = { { 0 }, { 0 } };
	struct bpf_program	p;
	char			*acc, *rej;
	uint8_t			f[160];
	const char		*in = "inbound and ";

	capfilter_set_add(&s, 7, false);
	acc = capfilter_accept(&s);
	rej = capfilter_rejected(acc);
	ck_assert_ptr_nonnull(rej);
	/* "inbound" is the kernel's packet type: not in a saved frame. */
	ck_assert_int_eq(strncmp(rej, in, strlen(in)), 0);
	p = compile(rej + strlen(in));
	ck_assert(!passes(&p, f, frame4(f, 7, F_NONE)));
	ck_assert(!passes(&p, f, frame4(f, 7, F_PROTO)));
	ck_assert(passes(&p, f, frame4(f, 7, F_TTL)));
	ck_assert(passes(&p, f, frame4(f, 8, F_NONE)));
	ck_assert(passes(&p, f, frame4(f, 7, F_SHORT)));
	ck_assert(passes(&p, f, frame6(f, 7, F_EXTHDR, 255)));
	ck_assert(passes(&p, f, frame6(f, 7, F_NONE, 1)));
	ck_assert(!passes(&p, f, frame6(f, 7, F_NONE, 255)));
	pcap_freecode(&p);
	free(rej);
	rej = capfilter_rejected(acc);		/* as a whole too */
	p = compile(rej);
	pcap_freecode(&p);
	free(rej);
	free(acc);
}
END_TEST

START_TEST(expression_text)
{
	struct capfilter_set	s = { { 0 }, { 0 } };
	char			*e;

	capfilter_set_add(&s, 7, false);
	capfilter_set_add(&s, 10, false);
	capfilter_set_add(&s, 11, false);
	capfilter_set_add(&s, 12, true);
	e = capfilter_accept(&s);
	ck_assert_ptr_nonnull(strstr(e, "(ip[8] == 255 and (carp[1] == 7 or "
	    "(carp[1] >= 10 and carp[1] <= 12))) or (carp[1] == 12))"));
	ck_assert_ptr_nonnull(strstr(e, "(ip6[7] == 255 and (ip6[41] == 7 or "
	    "(ip6[41] >= 10 and ip6[41] <= 12))) or (ip6[41] == 12))"));
	free(e);
	ck_assert(!capfilter_set_empty(&s));
	memset(&s, 0, sizeof(s));
	ck_assert(capfilter_set_empty(&s));
	e = capfilter_accept(&s);		/* no vhid: nothing passes */
	ck_assert_ptr_nonnull(strstr(e, "(carp[1] == 0 and carp[1] == 1)"));
	free(e);
}
END_TEST

/* No vhid (before the first is added): it compiles, unoptimized, and
 * takes nothing. */
START_TEST(empty_set)
{
	struct capfilter_set	 s = { { 0 }, { 0 } };
	pcap_t			*pc = pcap_open_dead(DLT_EN10MB, 256);
	struct bpf_program	 p;
	char			*e = capfilter_accept(&s);
	uint8_t			 f[160];

	ck_assert_int_eq(pcap_compile(pc, &p, e, 0, PCAP_NETMASK_UNKNOWN), 0);
	ck_assert(!passes(&p, f, frame4(f, 7, F_NONE)));
	ck_assert(!passes(&p, f, frame6(f, 7, F_NONE, 255)));
	pcap_freecode(&p);
	pcap_close(pc);
	free(e);
}
END_TEST

/* Every vhid, and the most runs a set can have: within BPF's limits. */
START_TEST(large_sets)
{
	struct capfilter_set	all = { { 0 }, { 0 } }, odd = { { 0 }, { 0 } };
	struct bpf_program	p;
	uint8_t			f[160];

	for (unsigned v = 1; v < 256; v++) {
		capfilter_set_add(&all, (uint8_t)v, false);
		if (v % 2)
			capfilter_set_add(&odd, (uint8_t)v, v % 4 == 1);
	}
	p = accept_of(&all);
	ck_assert(passes(&p, f, frame4(f, 255, F_NONE)));
	ck_assert(passes(&p, f, frame6(f, 1, F_NONE, 255)));
	pcap_freecode(&p);
	p = accept_of(&odd);
	ck_assert(passes(&p, f, frame4(f, 253, F_TTL)));
	ck_assert(!passes(&p, f, frame4(f, 255, F_TTL)));
	ck_assert(passes(&p, f, frame4(f, 255, F_NONE)));
	ck_assert(!passes(&p, f, frame4(f, 254, F_NONE)));
	ck_assert(passes(&p, f, frame6(f, 201, F_NONE, 255)));
	ck_assert(!passes(&p, f, frame6(f, 200, F_NONE, 255)));
	pcap_freecode(&p);
}
END_TEST

static Suite *
capfilter_suite(void)
{
	Suite	*s = suite_create("capfilter");
	TCase	*tc = tcase_create("filter");

	tcase_add_test(tc, ipv4_checks);
	tcase_add_test(tc, ipv4_routed);
	tcase_add_test(tc, ipv6_checks);
	tcase_add_test(tc, rejected_is_the_complement);
	tcase_add_test(tc, expression_text);
	tcase_add_test(tc, large_sets);
	tcase_add_test(tc, empty_set);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(capfilter_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
