// SPDX-License-Identifier: GPL-2.0
/*
 * edgeaid - the edgeai runtime daemon.
 *
 * Runs the pipelines of its configuration file (docs/edgeaid.md): each
 * has a source (UDP socket or kernel tensor ring), preprocessing stages, a
 * model and result sinks (pipeline.c), served by worker threads with one
 * io_uring each (worker.c). The main thread runs an io_uring loop on a
 * signalfd and a one-second timer: SIGHUP reloads the configuration,
 * SIGTERM/SIGINT drain and exit 0, and the timer rewrites the stats file.
 *
 *   edgeaid [-f] [-c FILE]       run (-f: log to stderr, else syslog)
 *   edgeaid --check [-c FILE]    validate the config and models, exit 0/1
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
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <liburing.h>

#include <edgeai/edgeai.h>

#include "edgeaid.h"
#include "loop.h"

int ead_log_level = EAD_LOG_INFO;
const char *ead_device;
static int use_syslog;
static int verbose;

struct daemon {
	const char *cfg_path;
	struct ead_config cfg;
	struct ead_pipeline *pipes[EAD_MAX_PIPELINES];
	unsigned int n_pipes;
	struct ead_workers *workers;
	int control_fd;
	char control_path[EAD_PATH_MAX];
	struct ead_metrics *metrics;
	long long started;
	int stats_failed;
};

void ead_log(int level, const char *fmt, ...)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	char msg[1024];
	va_list ap;

	if (level > ead_log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (use_syslog)
		syslog(prio[level], "%s", msg);
	else
		fprintf(stderr, "edgeaid: %s\n", msg);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: edgeaid [OPTIONS]\n"
		"\n"
		"The edgeai runtime daemon: runs the pipelines of its configuration\n"
		"file (source -> stages -> model -> sinks). Stop it with SIGTERM or\n"
		"SIGINT (drains, exit 0), reload the configuration with SIGHUP.\n"
		"\n"
		"Options:\n"
		"  -c, --config FILE   configuration file (default: %s)\n"
		"      --check         validate the configuration and its models, exit\n"
		"  -f, --foreground    log to stderr (default: syslog); edgeaid never forks\n"
		"  -d, --device PATH   edgeai device (default: $EDGEAI_DEV or %s)\n"
		"  -v, --verbose       log more (debug level)\n"
		"  -V, --version       print the version and exit\n"
		"  -h, --help          print this help and exit\n"
		"\n"
		"Exit status: 0 after a clean stop (--check: the configuration is valid),\n"
		"1 on an error (--check: it is not), 2 on a usage error.\n",
		EAD_DEFAULT_CONFIG, EDGEAI_DEV_PATH);
}

static void report_module(const char *path)
{
	struct edgeai_info info;
	struct edgeai_dev *dev;
	int ret;

	ret = edgeai_dev_open(path, &dev);
	if (ret) {
		ead_log(EAD_LOG_INFO, "no kernel module (%s): kernel-ring sources are off",
			strerror(-ret));
		return;
	}
	ret = edgeai_dev_info(dev, &info);
	if (ret)
		ead_log(EAD_LOG_WARN, "device does not answer GET_INFO: %s",
			strerror(-ret));
	else
		ead_log(EAD_LOG_INFO, "kernel module %s, ABI %u, features 0x%llx",
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

static int arm_accept(struct io_uring *ring, int fd)
{
	struct io_uring_sqe *sqe;

	if (fd < 0)
		return 0;
	sqe = io_uring_get_sqe(ring);
	if (!sqe)
		return -EBUSY;
	io_uring_prep_accept(sqe, fd, NULL, NULL, SOCK_CLOEXEC);
	io_uring_sqe_set_data64(sqe, edgeaid_ud(EDGEAID_OP_CONTROL, 0));
	return io_uring_submit(ring) < 0 ? -EIO : 0;
}

static void control_open(struct daemon *d)
{
	d->control_fd = -1;
	if (!d->cfg.control_path[0] || !strcmp(d->cfg.control_path, "none"))
		return;
	d->control_fd = ead_control_open(d->cfg.control_path);
	if (d->control_fd < 0) {
		ead_log(EAD_LOG_WARN, "control socket %s: %s: edgeaictl pipeline reload will not reach this daemon",
			d->cfg.control_path, strerror(-d->control_fd));
		return;
	}
	snprintf(d->control_path, sizeof(d->control_path), "%s",
		 d->cfg.control_path);
	ead_log(EAD_LOG_INFO, "control socket %s", d->control_path);
}

static void control_close(struct daemon *d)
{
	if (d->control_fd < 0)
		return;
	close(d->control_fd);
	unlink(d->control_path);
	d->control_fd = -1;
}

static int arm_timer(struct io_uring *ring, struct __kernel_timespec *ts)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (!sqe)
		return -EBUSY;
	ts->tv_sec = 1;
	ts->tv_nsec = 0;
	io_uring_prep_timeout(sqe, ts, 0, 0);
	io_uring_sqe_set_data64(sqe, edgeaid_ud(EDGEAID_OP_TIMER, 0));
	return io_uring_submit(ring) < 0 ? -EIO : 0;
}

/* Configuration and pipelines */

/* Load @path; a config with errors outside pipeline sections is refused. */
static int load_config(const char *path, struct ead_config *cfg)
{
	int ret = ead_config_load(path, cfg);

	if (ret) {
		ead_log(EAD_LOG_ERROR, "%s: %s", path, strerror(-ret));
		return ret;
	}
	if (cfg->global_errors) {
		ead_log(EAD_LOG_ERROR, "%s: %u error(s) outside pipeline sections",
			path, cfg->global_errors);
		ead_config_free(cfg);
		return -EINVAL;
	}
	return 0;
}

static void apply_globals(const struct ead_config *cfg)
{
	ead_log_level = verbose ? EAD_LOG_DEBUG : cfg->log_level;
}

/* Pipeline @id of d->cfg; @alone: see ead_workers_alone. */
static int new_pipeline(struct daemon *d, const struct ead_pipeline_conf *pc,
			unsigned int id, int alone)
{
	struct ead_pipeline *p = ead_pipeline_new(pc, d->cfg.path, id,
						  alone ? EAD_NEW_ALONE : 0);

	if (!p)
		return -ENOMEM;
	d->pipes[d->n_pipes++] = p;
	return 0;
}

/*
 * Whether pipeline @i of d->cfg will have a worker of its own, if every
 * pipeline without configuration errors starts.
 */
static int alone(const struct daemon *d, unsigned int i)
{
	unsigned int k, running = 0, idx = 0;

	if (d->cfg.pipes[i].bad)
		return 0;
	for (k = 0; k < d->cfg.n_pipes; k++) {
		if (d->cfg.pipes[k].bad)
			continue;
		idx += k < i;
		running++;
	}
	return ead_workers_alone(idx, running, d->cfg.workers);
}

static void start_workers(struct daemon *d)
{
	int ret = ead_workers_start(d->pipes, d->n_pipes, d->cfg.workers,
				    d->cfg.pin, &d->workers);

	if (ret)
		ead_log(EAD_LOG_ERROR, "starting workers: %s", strerror(-ret));
}

/* Take pipeline @name out of d->pipes if @pc is what it runs already. */
static struct ead_pipeline *take_unchanged(struct daemon *d,
					   const struct ead_pipeline_conf *pc)
{
	unsigned int i;

	for (i = 0; i < d->n_pipes; i++) {
		struct ead_pipeline *p = d->pipes[i];

		if (p && !strcmp(ead_pipeline_conf(p)->name, pc->name)) {
			if (!ead_pipeline_unchanged(p, pc))
				return NULL;
			d->pipes[i] = NULL;
			return p;
		}
	}
	return NULL;
}

/* Drain what the pipelines still hold, and free them (workers stopped). */
static void free_pipelines(struct daemon *d, int drain)
{
	unsigned int i;

	for (i = 0; i < d->n_pipes; i++) {
		if (!d->pipes[i])
			continue;
		if (drain)
			ead_pipeline_drain(d->pipes[i]);
		ead_log(EAD_LOG_INFO, "[pipeline %s] stopped",
			ead_pipeline_name(d->pipes[i]));
		ead_pipeline_free(d->pipes[i]);
		d->pipes[i] = NULL;
	}
	d->n_pipes = 0;
}

static int reload(struct daemon *d)
{
	struct ead_pipeline *keep[EAD_MAX_PIPELINES] = { NULL };
	struct ead_config cfg;
	unsigned int i, kept = 0;

	if (load_config(d->cfg_path, &cfg)) {
		ead_log(EAD_LOG_ERROR, "reload failed: keeping the running configuration");
		return -EINVAL;
	}
	/*
	 * Workers pause; unchanged pipelines keep their sources, state and
	 * counters (their sockets and rings buffer meanwhile); the others
	 * process what they hold and go before their replacements open.
	 */
	ead_workers_stop(d->workers, 0);
	d->workers = NULL;
	for (i = 0; i < cfg.n_pipes; i++) {
		keep[i] = take_unchanged(d, &cfg.pipes[i]);
		kept += keep[i] != NULL;
	}
	free_pipelines(d, 1);
	ead_config_free(&d->cfg);
	d->cfg = cfg;
	apply_globals(&d->cfg);
	for (i = 0; i < cfg.n_pipes; i++) {
		if (keep[i]) {
			d->pipes[d->n_pipes++] = keep[i];
			continue;
		}
		ead_log(EAD_LOG_INFO, "[pipeline %s] starting", cfg.pipes[i].name);
		if (new_pipeline(d, &cfg.pipes[i], i, alone(d, i)))
			return -ENOMEM;
	}
	start_workers(d);
	ead_log(EAD_LOG_INFO, "reloaded %s: %u pipeline(s), %u unchanged",
		d->cfg_path, cfg.n_pipes, kept);
	return 0;
}

static void write_stats(struct daemon *d)
{
	int ret = ead_stats_write(d->cfg.stats_path, d->started,
				  ead_workers_count(d->workers), d->pipes,
				  d->n_pipes);

	if (ret && !d->stats_failed++)
		ead_log(EAD_LOG_WARN, "stats file %s: %s (logged once)",
			d->cfg.stats_path, strerror(-ret));
	if (!ret)
		d->stats_failed = 0;
}

/* Once a second: retired models are freed, changed model files swapped. */
static void tick(struct daemon *d)
{
	unsigned int i;

	for (i = 0; i < d->n_pipes; i++)
		if (d->pipes[i])
			ead_pipeline_tick(d->pipes[i]);
}

/* Returns 1 to keep running, 0 to stop. */
static int handle_signal(struct daemon *d, const struct signalfd_siginfo *si)
{
	switch (si->ssi_signo) {
	case SIGHUP:
		ead_log(EAD_LOG_INFO, "SIGHUP: reloading %s", d->cfg_path);
		reload(d);
		write_stats(d);
		return 1;
	case SIGTERM:
	case SIGINT:
		ead_log(EAD_LOG_INFO, "%s: draining and stopping",
			strsignal(si->ssi_signo));
		return 0;
	default:
		return 1;
	}
}

static int handle_cqe(struct daemon *d, struct io_uring *ring,
		      struct io_uring_cqe *cqe, int sfd,
		      struct signalfd_siginfo *si, struct __kernel_timespec *ts,
		      int *running)
{
	switch (edgeaid_ud_op(cqe->user_data)) {
	case EDGEAID_OP_SIGNAL:
		if (cqe->res != (int)sizeof(*si))
			return cqe->res < 0 ? cqe->res : -EIO;
		*running = handle_signal(d, si);
		return *running ? arm_signal_read(ring, sfd, si) : 0;
	case EDGEAID_OP_TIMER:
		tick(d);
		write_stats(d);
		return arm_timer(ring, ts);
	case EDGEAID_OP_CONTROL:
		if (cqe->res >= 0)
			ead_control_serve(cqe->res, d->pipes, d->n_pipes);
		else if (cqe->res != -EINTR && cqe->res != -ECONNABORTED)
			ead_log(EAD_LOG_WARN, "control socket: accept: %s",
				strerror(-cqe->res));
		return arm_accept(ring, d->control_fd);
	case EDGEAID_OP_SOURCE:	/* the workers' rings only */
		break;
	}
	return 0;
}

static int run_loop(struct daemon *d, struct io_uring *ring, int sfd)
{
	struct signalfd_siginfo si;
	struct __kernel_timespec ts;
	struct io_uring_cqe *cqe;
	int ret, running = 1;

	ret = arm_signal_read(ring, sfd, &si);
	if (!ret)
		ret = arm_timer(ring, &ts);
	if (!ret)
		ret = arm_accept(ring, d->control_fd);
	if (!ret && verbose)
		ead_log(EAD_LOG_DEBUG, "event loop ready");
	while (!ret && running) {
		ret = io_uring_wait_cqe(ring, &cqe);
		if (ret == -EINTR) {
			ret = 0;
			continue;
		}
		if (ret)
			break;
		ret = handle_cqe(d, ring, cqe, sfd, &si, &ts, &running);
		io_uring_cqe_seen(ring, cqe);
	}
	return ret;
}

/* --check: 0 if the config and every pipeline's model and stages are fine. */
static int check_config(const char *path)
{
	struct ead_config cfg;
	unsigned int i, bad = 0;

	if (load_config(path, &cfg))
		return 1;
	for (i = 0; i < cfg.n_pipes; i++) {
		struct ead_pipeline *p = ead_pipeline_new(&cfg.pipes[i], path, i,
							  EAD_NEW_CHECK);

		if (!p || ead_pipeline_disabled(p))
			bad++;
		ead_pipeline_free(p);
	}
	if (cfg.errors || bad)
		fprintf(stderr, "edgeaid: %s: %u error(s), %u of %u pipeline(s) unusable\n",
			path, cfg.errors, bad, cfg.n_pipes);
	else
		printf("%s: ok, %u pipeline(s)\n", path, cfg.n_pipes);
	ead_config_free(&cfg);
	return cfg.errors || bad ? 1 : 0;
}

static int start(struct daemon *d)
{
	unsigned int i;

	if (load_config(d->cfg_path, &d->cfg))
		return -EINVAL;
	apply_globals(&d->cfg);
	control_open(d);
	if (d->cfg.prometheus[0])
		d->metrics = ead_metrics_start(d->cfg.prometheus,
					       d->cfg.stats_path);
	d->started = (long long)time(NULL);
	for (i = 0; i < d->cfg.n_pipes; i++)
		if (new_pipeline(d, &d->cfg.pipes[i], i, alone(d, i)))
			return -ENOMEM;
	start_workers(d);
	ead_log(EAD_LOG_INFO, "%u pipeline(s) from %s", d->cfg.n_pipes,
		d->cfg_path);
	write_stats(d);
	return 0;
}

static int serve(struct daemon *d)
{
	struct io_uring ring;
	sigset_t set;
	int sfd, ret;

	sfd = signals_open(&set);
	if (sfd < 0) {
		ead_log(EAD_LOG_ERROR, "signalfd: %s", strerror(-sfd));
		return 1;
	}
	ret = io_uring_queue_init(64, &ring, 0);
	if (ret) {
		ead_log(EAD_LOG_ERROR, "io_uring_queue_init: %s", strerror(-ret));
		goto out_sfd;
	}
	ead_log(EAD_LOG_INFO, "edgeaid %s starting (pid %d)", edgeai_version(),
		(int)getpid());
	report_module(ead_device);
	ret = start(d);
	if (!ret)
		ret = run_loop(d, &ring, sfd);
	ead_workers_stop(d->workers, 1);	/* each drains its pipelines */
	d->workers = NULL;
	if (d->cfg.pipes)
		write_stats(d);	/* the final counts */
	free_pipelines(d, 0);
	ead_sink_cleanup();
	control_close(d);
	ead_metrics_stop(d->metrics);
	ead_config_free(&d->cfg);
	io_uring_queue_exit(&ring);
out_sfd:
	close(sfd);
	if (ret) {
		ead_log(EAD_LOG_ERROR, "stopping on error: %s", strerror(-ret));
		return 1;
	}
	ead_log(EAD_LOG_INFO, "stopped cleanly");
	return 0;
}

int main(int argc, char **argv)
{
	enum { OPT_CHECK = 0x100 };
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "foreground", no_argument, NULL, 'f' },
		{ "device", required_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct daemon d = { .cfg_path = EAD_DEFAULT_CONFIG, .control_fd = -1 };
	int c, check = 0, foreground = 0;

	while ((c = getopt_long(argc, argv, "c:fd:vVh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			d.cfg_path = optarg;
			break;
		case OPT_CHECK:
			check = 1;
			break;
		case 'f':
			foreground = 1;
			break;
		case 'd':
			ead_device = optarg;
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
	if (verbose)
		ead_log_level = EAD_LOG_DEBUG;
	if (check)
		return check_config(d.cfg_path);
	if (!foreground) {
		use_syslog = 1;
		openlog("edgeaid", LOG_PID, LOG_DAEMON);
	}
	return serve(&d);
}
