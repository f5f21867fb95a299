/*
 * sandbox.c: what the network process may still do once it is set up.
 *
 * The child parses hostile packets.  Once its interfaces, sockets and
 * log connection are open it needs no file and no new program, so:
 *
 *  - it chroots, as root and before the drop of CAP_SYS_CHROOT, into a
 *    fresh directory that it removes at once: its root is a deleted,
 *    empty directory in which nothing can ever be created.  A chroot
 *    rather than a private mount namespace: it needs no CAP_SYS_ADMIN
 *    (containers often lack it), mounts nothing and leaves nothing
 *    behind;
 *  - it sets no_new_privs and loads a seccomp allow-list (libseccomp).
 *    Any other call is trapped: the SIGSYS handler sends the parent one
 *    raw datagram naming the call and the process dies of SIGSYS.  The
 *    parent logs the call by name (sandbox_report) and runs every down
 *    script (parent.c), since the child could not.
 *
 * Two refused calls are answered instead of killing.  libpcap's
 * pcap_activate() probes /sys/class/net/IFACE/dsa/tagging (a file it
 * only opens for reading): the trap answers ENOENT, which is what the
 * empty root would say, and the file is never opened.  A socket of
 * AF_UNIX fails with EACCES (the filter's rule below).
 */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <event2/event.h>
#include <seccomp.h>

#include "log.h"
#include "privsep.h"
#include "sandbox.h"

/*
 * Sanitizer builds: LeakSanitizer lists /proc/PID/task and reads
 * /proc/self/maps at exit, from a tracer it clones and that ptraces us,
 * so they keep the file system (no chroot), may open files for reading
 * and allow the calls of sanitizer_calls[] too.  Only in those builds.
 */
#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_SANITIZER	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_SANITIZER	1
#endif
#endif

#define SANDBOX_PROBE_DIR	"/sys/class/net/"

/* As privsep.h has it; written by hand in a signal handler. */
struct sandbox_msg {
	uint32_t	type;		/* PS_SANDBOX_VIOLATION */
	int32_t		nr;		/* the system call */
	uint32_t	arch;		/* its AUDIT_ARCH_* */
};

/*
 * Allowed with any arguments.  Keep carpd(8), SECURITY, in step.
 * Names unknown on an architecture (poll on arm64) are skipped.
 */
static const char *const sandbox_calls[] = {
	/* memory */
	"brk", "mmap", "munmap", "mprotect", "mremap", "madvise",
	/* descriptors, the event loop, timers */
	"read", "readv", "write", "writev", "close", "fcntl", "newfstatat",
	"fstat", "epoll_wait", "epoll_pwait", "epoll_ctl", "poll", "ppoll",
	"timerfd_settime", "eventfd2", "clock_gettime", "gettimeofday",
	/* sockets: capture, injection, multicast, control, syslog */
	"bind", "accept4", "getsockname", "getsockopt",
	"setsockopt", "sendto", "sendmsg", "recvfrom", "recvmsg", "shutdown",
	/* signals, randomness, exit */
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "restart_syscall",
	"getpid", "getppid", "gettid", "getrandom", "uname", "exit",
	"exit_group",
	NULL
};

#ifdef SANDBOX_SANITIZER
static const char *const sanitizer_calls[] = {
	/* LeakSanitizer's stop-the-world at exit: a ptrace tracer */
	"clone", "ptrace", "wait4", "prctl", "sched_yield",
	"futex", "sigaltstack", "nanosleep", "clock_nanosleep",
	/* ... reading /proc/PID/task and /proc/self/maps; reports */
	"getdents", "getdents64", "readlink", "readlinkat", "lseek",
	NULL
};
#endif

/*
 * socket(2): only these; -1 is any type or protocol.  The type is
 * compared without SOCK_NONBLOCK and SOCK_CLOEXEC.
 */
static const struct {
	int	family, type, protocol;
} sandbox_sockets[] = {
	{ AF_PACKET, -1, -1 },		/* libpcap, libnet: reopening */
	{ AF_INET, SOCK_DGRAM, -1 },	/* multicast; ioctls; peer resolution */
	{ AF_INET6, SOCK_DGRAM, -1 },	/* IPv6 multicast; peer resolution */
	{ AF_INET, SOCK_RAW, 112 },	/* unicast adverts' sink (neigh.c) */
	{ AF_INET6, SOCK_RAW, 112 },	/* ... the IPv6 ones' */
	{ AF_NETLINK, -1, NETLINK_ROUTE },	/* getifaddrs; neighbours */
	{ AF_NETLINK, -1, NETLINK_GENERIC },	/* libpcap's checks */
};

/* ioctl(2): only these requests, all reads of interface settings. */
static const unsigned long sandbox_ioctls[] = {
	SIOCGIFFLAGS, SIOCGIFINDEX, SIOCGIFNAME, SIOCGIFHWADDR, SIOCGIFMTU,
	SIOCETHTOOL, FIONREAD,
};

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

static int	sandbox_fd = -1;

int
sandbox_chroot(void)
{
#ifdef CARPD_TEST_HOOKS
	/* The tests' compromised child (carpd.c) is a program to run. */
	if (getenv("CARPD_TEST_CHILD") != NULL)
		return 0;
#endif
#ifdef SANDBOX_SANITIZER
	return 0;	/* said by sandbox_enter() */
#else
	static const char *const bases[] = { "/run", "/tmp" };
	char	dir[64] = "";
	size_t	i;

	for (i = 0; i < NITEMS(bases); i++) {
		snprintf(dir, sizeof(dir), "%s/carpd-sandbox.XXXXXX", bases[i]);
		if (mkdtemp(dir) != NULL)
			break;
	}
	if (i == NITEMS(bases)) {
		log_warn("sandbox: cannot make a directory in /run or /tmp");
		return -1;
	}
	/* Removed while it is our cwd: nothing can be created in it. */
	if (chdir(dir) == -1 || rmdir(dir) == -1 || chroot(".") == -1 ||
	    chdir("/") == -1) {
		log_warn("sandbox: cannot chroot into %s", dir);
		rmdir(dir);
		return -1;
	}
	return 0;
#endif
}

/* ---- the trap ---- */

/* The call's number, its first three arguments, and where it returns. */
#if defined(__x86_64__)
static const int sb_argreg[] = { REG_RDI, REG_RSI, REG_RDX };
#define SB_ARCH			SCMP_ARCH_X86_64
#define SB_ARG(uc, i)		((uc)->uc_mcontext.gregs[sb_argreg[i]])
#define SB_RET(uc)		((uc)->uc_mcontext.gregs[REG_RAX])
#elif defined(__aarch64__)
#define SB_ARCH			SCMP_ARCH_AARCH64
#define SB_ARG(uc, i)		((uc)->uc_mcontext.regs[i])
#define SB_RET(uc)		((uc)->uc_mcontext.regs[0])
#endif

/* libpcap's read-only probe under /sys/class/net: answer ENOENT. */
static int
answer_probe(const siginfo_t *si, void *ctx)
{
#ifdef SB_ARCH
	ucontext_t	*uc = ctx;
	const char	*path;
	long		 flags;

	if (si->si_arch != SB_ARCH)
		return 0;
	if (si->si_syscall == __NR_openat) {
		path = (const char *)SB_ARG(uc, 1);
		flags = (long)SB_ARG(uc, 2);
#ifdef __NR_open
	} else if (si->si_syscall == __NR_open) {
		path = (const char *)SB_ARG(uc, 0);
		flags = (long)SB_ARG(uc, 1);
#endif
	} else
		return 0;
	if (path == NULL || (flags & (O_ACCMODE | O_CREAT)) != O_RDONLY ||
	    strncmp(path, SANDBOX_PROBE_DIR, strlen(SANDBOX_PROBE_DIR)) != 0 ||
	    strstr(path, "/..") != NULL)
		return 0;
	SB_RET(uc) = -ENOENT;
	return 1;
#else
	return 0;
#endif
}

/* Async-signal-safe: tell the parent, then die of SIGSYS. */
static void
on_sigsys(int sig, siginfo_t *si, void *ctx)
{
	struct sandbox_msg	m;
	struct sigaction	sa;
	sigset_t		set;
	int			saved = errno;

	if (answer_probe(si, ctx)) {
		errno = saved;
		return;
	}
	m.type = PS_SANDBOX_VIOLATION;
	m.nr = si->si_syscall;
	m.arch = si->si_arch;
	if (sandbox_fd != -1)
		(void)send(sandbox_fd, &m, sizeof(m),
		    MSG_DONTWAIT | MSG_NOSIGNAL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigaction(SIGSYS, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGSYS);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(SIGSYS);
	_exit(128 + SIGSYS);
}

/* ---- the filter ---- */

static int
allow_names(scmp_filter_ctx ctx, const char *const *names)
{
	for (; *names != NULL; names++) {
		int nr = seccomp_syscall_resolve_name(*names);

		if (nr == __NR_SCMP_ERROR)
			continue;
		if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0) < 0) {
			log_warnx("sandbox: cannot allow %s", *names);
			return -1;
		}
	}
	return 0;
}

/* One call allowed when one argument compares as `cmp` says. */
static int
allow_if(scmp_filter_ctx ctx, int nr, struct scmp_arg_cmp cmp)
{
	return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, 1, &cmp) < 0 ?
	    -1 : 0;
}

static int
allow_socket(scmp_filter_ctx ctx, int family, int type, int protocol)
{
	struct scmp_arg_cmp	cmp[3];
	unsigned		n = 0;

	cmp[n++] = SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)family, 0);
	if (type != -1)
		cmp[n++] = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, (scmp_datum_t)type);
	if (protocol != -1)
		cmp[n++] = SCMP_A2(SCMP_CMP_EQ, (scmp_datum_t)protocol, 0);
	return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), n,
	    cmp) < 0 ? -1 : 0;
}

static int
allow_with_args(scmp_filter_ctx ctx)
{
	int rc = 0;

	for (size_t i = 0; i < NITEMS(sandbox_sockets); i++)
		rc |= allow_socket(ctx, sandbox_sockets[i].family,
		    sandbox_sockets[i].type, sandbox_sockets[i].protocol);
	/*
	 * AF_UNIX fails instead: a chroot does not hide abstract sockets.
	 * glibc then looks interfaces up over AF_INET, and syslog cannot
	 * reconnect from the empty root anyway.
	 */
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socket),
	    1, SCMP_A0(SCMP_CMP_EQ, AF_UNIX, 0)) < 0 ? -1 : 0;
	/* The kernel reads the request as 32 bits. */
	for (size_t i = 0; i < NITEMS(sandbox_ioctls); i++)
		rc |= allow_if(ctx, SCMP_SYS(ioctl), SCMP_A1(SCMP_CMP_MASKED_EQ,
		    0xffffffffu, (scmp_datum_t)sandbox_ioctls[i]));
	/* raise(): signals to ourselves only. */
	rc |= allow_if(ctx, SCMP_SYS(tgkill),
	    SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid(), 0));
#ifdef SANDBOX_SANITIZER
	/* Opens for reading only (/proc, the binary for a report). */
	rc |= allow_if(ctx, SCMP_SYS(openat),
	    SCMP_A2(SCMP_CMP_MASKED_EQ, O_ACCMODE | O_CREAT, O_RDONLY));
#ifdef __NR_open
	rc |= allow_if(ctx, SCMP_SYS(open),
	    SCMP_A1(SCMP_CMP_MASKED_EQ, O_ACCMODE | O_CREAT, O_RDONLY));
#endif
	/*
	 * Without the chroot the control socket's path is found at exit;
	 * it is the privileged process's to remove, as in a release build.
	 */
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(unlink),
	    0) < 0 ? -1 : 0;
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(unlinkat),
	    0) < 0 ? -1 : 0;
#endif
	if (rc != 0)
		log_warnx("sandbox: cannot add the rules with arguments");
	return rc;
}

int
sandbox_enter(int ps_fd)
{
	struct sigaction	sa;
	scmp_filter_ctx		ctx;
	int			rc;

	sandbox_fd = ps_fd;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) == -1) {
		log_warn("sandbox: sigaction");
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		log_warn("sandbox: no_new_privs");
		return -1;
	}
	if ((ctx = seccomp_init(SCMP_ACT_TRAP)) == NULL) {
		log_warnx("sandbox: seccomp_init failed");
		return -1;
	}
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_TRAP);
	if (rc == 0)
		rc = allow_names(ctx, sandbox_calls);
#ifdef SANDBOX_SANITIZER
	if (rc == 0)
		rc = allow_names(ctx, sanitizer_calls);
#endif
	if (rc == 0)
		rc = allow_with_args(ctx);
	if (rc == 0 && (rc = seccomp_load(ctx)) < 0)
		log_warnx("sandbox: cannot load the filter: %s", strerror(-rc));
	seccomp_release(ctx);
	if (rc < 0)
		return -1;
#ifdef SANDBOX_SANITIZER
	log_info("network process sandboxed: no new privileges, system calls "
	    "filtered (sanitizer build: more calls, no chroot)");
#else
	log_info("network process sandboxed: empty root, no new privileges, "
	    "system calls filtered");
#endif
	return 0;
}

#ifdef CARPD_TEST_HOOKS
/* ---- test builds only ---- */

static void
on_test_hook(evutil_socket_t fd, short ev, void *arg)
{
	const char	*what = arg;
	char		*argv[] = { "/bin/true", NULL }, *envp[] = { NULL };
	int		 f;

	log_warnx("test hook: trying %s in the sandbox", what);
	if (strcmp(what, "open") == 0) {
#ifdef SANDBOX_SANITIZER
		/* Those builds may open for reading. */
		f = open("/etc/passwd", O_WRONLY | O_CLOEXEC);
#else
		f = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
#endif
		log_warnx("test hook: open returned %d", f);
	} else {
		execve(argv[0], argv, envp);
		log_warn("test hook: execve");
	}
}

void
sandbox_test_hook(struct event_base *base)
{
	static struct timeval	 tv = { 2, 0 };
	const char		*what = getenv("CARPD_TEST_SANDBOX");
	const char		*delay = getenv("CARPD_TEST_SANDBOX_DELAY");

	if (what == NULL)
		return;
	if (delay != NULL)
		tv.tv_sec = atoi(delay);
	if (strcmp(what, "open") != 0 && strcmp(what, "execve") != 0) {
		log_warnx("CARPD_TEST_SANDBOX=%s: expected open or execve",
		    what);
		return;
	}
	if (event_base_once(base, -1, EV_TIMEOUT, on_test_hook, (void *)what,
	    &tv) == -1)
		log_warnx("test hook: cannot arm the timer");
}
#endif

/* ---- the parent ---- */

void
sandbox_report(int32_t nr, uint32_t arch)
{
	static int	 reported;
	char		*name;

	/* The child dies after one; more are not worth a line each. */
	if (reported++)
		return;
	name = seccomp_syscall_resolve_num_arch(arch, nr);
	log_warnx("network process stopped by its sandbox: system call %s "
	    "(%d) is not allowed", name != NULL ? name : "unknown", (int)nr);
	free(name);
}

int
sandbox_reaped(int status)
{
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSYS)
		return 0;
	log_warnx("network process killed by SIGSYS: stopped by its sandbox");
	return 1;
}
