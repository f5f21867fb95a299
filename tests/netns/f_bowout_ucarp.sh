#!/usr/bin/env bash
# Graceful hand-over to Debian's ucarp: carpd on a (-k 0) is master, ucarp
# on b (-k 100, advbase 1: master-down interval 3.39 s) its backup.
# SIGTERM to a: ucarp honours a's bow-out advert (advbase 255, advskew
# 255: a master that is "going to time out") and takes over at once, well
# before its master-down interval.  "At once" for ucarp is up to about 1 s:
# it reads its capture with a 1000 ms timeout (CAPTURE_TIMEOUT), so the
# bound is 1.5 s; without the bow-out it could not take over before
# 3.39 - 1 s (a's last advert left at most 1 s before the signal).
# shellcheck source=tests/netns/lib.sh
. "${top_srcdir:-.}/tests/netns/lib.sh"
# shellcheck source=tests/netns/lib_fast.sh
. "${top_srcdir:-.}/tests/netns/lib_fast.sh"

VIP=192.0.2.100
PASS="bowout$$"
tb_init
[ -x "$TB_UCARP" ] || { echo "${0##*/}: SKIP: no $TB_UCARP" >&2; exit 77; }
tb_switch
tb_host a 192.0.2.1/24
tb_host b 192.0.2.2/24
tb_scripts
passfile=$(tb_passfile group "$PASS")

tb_carpd a -i eth0 -v 7 -o "$passfile" -a "$VIP" -b 1 -k 0 -P \
    -u "$TB_DIR/a.up" -d "$TB_DIR/a.down"
tb_wait_settled "$VIP" a 8 || tb_fail "a (carpd) did not become the only holder"
# ucarp joins a running master: started together, a becomes master 3 s in
# and b's deadline is 3.39 s, but ucarp reads its capture up to 1 s late
# (CAPTURE_TIMEOUT) and may miss a's first advert: ucarp's race, not ours.
tb_ucarp b -i eth0 -s "${TB_ADDR[b]}" -v 7 -p "$PASS" -a "$VIP" -b 1 -k 100 \
    -u "$TB_DIR/b.up" -d "$TB_DIR/b.down"
tb_wait_log b 'Switching to state: BACKUP' 5 || tb_fail "b (ucarp) did not start"
# Past b's master-down interval: ucarp hears a and stays backup.
tb_holds 4 tb_only_holder "$VIP" a || tb_fail "a (carpd) did not stay the only holder"
tb_loggrep b 'Switching to state: MASTER' && tb_fail "b (ucarp) became MASTER while a was up"

t_term=$(date +%s.%N)
tb_signal a TERM
tb_wait_event ' b up ' 5 || tb_fail "b (ucarp) did not run its up script"
took=$(tb_elapsed "$t_term" "$(tb_event_time ' b up ')")
tb_log "b (ucarp) ran its up script $took s after SIGTERM"
tb_wait_exit a 5 || tb_fail "a did not exit within 5 s of SIGTERM"
[ "$TB_RC" -eq 0 ] || tb_fail "a exited $TB_RC, not 0"
tb_lt "$took" 1.5 || tb_fail "b (ucarp) took over $took s after SIGTERM: bow-out ignored?"
tb_loggrep b 'Switching to state: MASTER' || tb_fail "b (ucarp): no switch to MASTER logged"
# ucarp's words for a master whose advert says it is about to time out.
tb_wait_log b 'Putting MASTER DOWN \(going to time out\)' 1 ||
	tb_fail "b (ucarp) did not take the bow-out advert as a master going away"
tb_wait_settled "$VIP" b 2 || tb_fail "b (ucarp) is not the only holder"
tb_holds 1 tb_only_holder "$VIP" b || tb_fail "b (ucarp) did not stay the only holder"
tb_alive b || tb_fail "b (ucarp) died"

tb_pass "ucarp took over $took s after SIGTERM to the carpd master"
