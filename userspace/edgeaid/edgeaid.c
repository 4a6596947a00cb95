// SPDX-License-Identifier: GPL-2.0
/*
 * edgeaid - the edgeai runtime daemon.
 *
 * One io_uring event loop per worker takes samples from kernel tensor rings
 * and UDP sockets, preprocesses them, runs the model and hands the results
 * on. This first version is the loop's skeleton: it reports the kernel
 * module it finds, then serves signals through the ring (SIGHUP: reload,
 * SIGTERM/SIGINT: drain and exit 0) so that service managers and tests can
 * drive it. Pipelines arrive with the runtime work (see docs/).
 *
 *   edgeaid                 run in the foreground, log to stderr
 *   edgeaid --version
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <liburing.h>

#include <edgeai/edgeai.h>

#include "loop.h"

static int verbose;

static void logmsg(const char *fmt, ...)
{
	va_list ap;

	fputs("edgeaid: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: edgeaid [OPTIONS]\n"
		"\n"
		"The edgeai runtime daemon. Runs in the foreground and logs to\n"
		"stderr; stop it with SIGTERM or SIGINT, reload with SIGHUP.\n"
		"\n"
		"Options:\n"
		"  -d, --device PATH   edgeai device (default: $EDGEAI_DEV or %s)\n"
		"  -v, --verbose       log more\n"
		"  -V, --version       print the version and exit\n"
		"  -h, --help          print this help and exit\n"
		"\n"
		"Exit status: 0 after a clean stop, 1 on a runtime error,\n"
		"2 on a usage error.\n",
		EDGEAI_DEV_PATH);
}

static void report_module(const char *path)
{
	struct edgeai_info info;
	struct edgeai_dev *dev;
	int ret;

	ret = edgeai_dev_open(path, &dev);
	if (ret) {
		logmsg("no kernel module (%s): kernel-ring sources are off",
		       strerror(-ret));
		return;
	}
	ret = edgeai_dev_info(dev, &info);
	if (ret)
		logmsg("device does not answer GET_INFO: %s", strerror(-ret));
	else
		logmsg("kernel module %s, ABI %u, features 0x%llx",
		       (const char *)info.version, info.abi_version,
		       (unsigned long long)info.features);
	edgeai_dev_close(dev);
}

static int signals_open(sigset_t *set)
{
	int fd;

	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, set, NULL) < 0)
		return -errno;
	fd = signalfd(-1, set, SFD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int arm_signal_read(struct io_uring *ring, int sfd,
			   struct signalfd_siginfo *si)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (!sqe)
		return -EBUSY;
	io_uring_prep_read(sqe, sfd, si, sizeof(*si), 0);
	io_uring_sqe_set_data64(sqe, edgeaid_ud(EDGEAID_OP_SIGNAL, 0));
	return io_uring_submit(ring) < 0 ? -EIO : 0;
}

/* Returns 1 to keep running, 0 to stop, negative errno on error. */
static int handle_signal(const struct signalfd_siginfo *si)
{
	switch (si->ssi_signo) {
	case SIGHUP:
		logmsg("SIGHUP: nothing to reload yet");
		return 1;
	case SIGTERM:
	case SIGINT:
		logmsg("%s: stopping", strsignal(si->ssi_signo));
		return 0;
	default:
		return 1;
	}
}

static int run_loop(struct io_uring *ring, int sfd)
{
	struct signalfd_siginfo si;
	struct io_uring_cqe *cqe;
	int ret, running = 1;

	ret = arm_signal_read(ring, sfd, &si);
	while (!ret && running > 0) {
		ret = io_uring_wait_cqe(ring, &cqe);
		if (ret == -EINTR) {
			ret = 0;
			continue;
		}
		if (ret)
			break;
		if (edgeaid_ud_op(cqe->user_data) == EDGEAID_OP_SIGNAL) {
			if (cqe->res != (int)sizeof(si)) {
				ret = cqe->res < 0 ? cqe->res : -EIO;
			} else {
				running = handle_signal(&si);
				if (running > 0)
					ret = arm_signal_read(ring, sfd, &si);
			}
		}
		io_uring_cqe_seen(ring, cqe);
	}
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *device = NULL;
	struct io_uring ring;
	sigset_t set;
	int c, sfd, ret;

	while ((c = getopt_long(argc, argv, "d:vVh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			device = optarg;
			break;
		case 'v':
			verbose++;
			break;
		case 'V':
			printf("edgeaid %s\n", edgeai_version());
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "edgeaid: unexpected argument '%s'\n",
			argv[optind]);
		usage(stderr);
		return 2;
	}

	sfd = signals_open(&set);
	if (sfd < 0) {
		logmsg("signalfd: %s", strerror(-sfd));
		return 1;
	}
	ret = io_uring_queue_init(64, &ring, 0);
	if (ret) {
		logmsg("io_uring_queue_init: %s", strerror(-ret));
		close(sfd);
		return 1;
	}
	logmsg("edgeaid %s starting (pid %d)", edgeai_version(), (int)getpid());
	report_module(device);
	if (verbose)
		logmsg("event loop ready");

	ret = run_loop(&ring, sfd);
	io_uring_queue_exit(&ring);
	close(sfd);
	if (ret) {
		logmsg("event loop: %s", strerror(-ret));
		return 1;
	}
	logmsg("stopped cleanly");
	return 0;
}
