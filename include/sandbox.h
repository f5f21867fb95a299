/*
 * sandbox.h: the network process's sandbox.  After its set-up the
 * child (privsep.h) chroots into an empty, deleted directory, sets
 * no_new_privs and loads a seccomp allow-list of the system calls it
 * needs.  A call outside the list is trapped: the child tells the
 * parent which call it was (one raw datagram on the privsep socket)
 * and dies of SIGSYS; the parent logs it and runs the down scripts.
 * The report is PS_SANDBOX_VIOLATION of privsep.h.
 * See carpd(8), SECURITY.
 */
#ifndef CARPD_SANDBOX_H
#define CARPD_SANDBOX_H

#include <stddef.h>
#include <stdint.h>

struct event_base;

/* In the child, as root, before the drop: chroot into an empty directory. */
int	sandbox_chroot(void);
/* In the child, after the drop: no_new_privs and the seccomp filter. */
int	sandbox_enter(int ps_fd);
#ifdef CARPD_TEST_HOOKS
/*
 * Test builds: CARPD_TEST_SANDBOX=open|execve breaks the rules 2 s
 * (or CARPD_TEST_SANDBOX_DELAY seconds) after the start.
 */
void	sandbox_test_hook(struct event_base *);
#endif

/* In the parent: the child's report (PS_SANDBOX_VIOLATION, privsep.h). */
void	sandbox_report(int32_t nr, uint32_t arch);
/* In the parent, the child reaped: 1 (and logged) if it died of SIGSYS. */
int	sandbox_reaped(int status);

#endif
