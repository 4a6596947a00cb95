// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for edgeaid's control socket (userspace/edgeaid/
 * control.c, json-c underneath), compiled in: what `edgeaictl pipeline
 * reload` and any local client send to the daemon.
 *
 * Input: the bytes of one request, sent as one message on an AF_UNIX
 * SOCK_SEQPACKET pair to ead_control_serve(), which serves two pipelines
 * "imu" and "net" (the swap itself is stubbed: it fails for models whose
 * name contains "bad" and otherwise returns the next generation).
 * Invariants (a violation aborts, which libFuzzer saves as a crash):
 *
 *  - exactly one reply, a JSON object with a boolean "ok";
 *  - "ok": false comes with a non-empty "error" string, and no swap
 *    happened unless the stub refused it;
 *  - "ok": true answers a "ping" (with "pid" and "version") or a reload
 *    of an existing pipeline, with that "pipeline" and its "model_gen",
 *    and the "model" as requested when one was given (absolute path);
 *  - nothing leaks or overruns (ASan, UBSan).
 *
 *   build/fuzz/fuzz_control tests/fuzz/corpus/control   # make fuzz
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../userspace/edgeaid/control.c"

int ead_log_level = EAD_LOG_ERROR;

struct ead_pipeline {
	const char *name;
	uint32_t gen;
};

static struct ead_pipeline fake[2] = { { "imu", 1 }, { "net", 1 } };
static unsigned int swaps, refused;

void ead_log(int level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	(void)level;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
}

const char *ead_pipeline_name(const struct ead_pipeline *p)
{
	return p->name;
}

int ead_pipeline_swap_model(struct ead_pipeline *p, const char *path,
			    uint64_t at, uint32_t *gen, char *err,
			    size_t errlen)
{
	/* control.c takes only at_sample 1..INT64_MAX (0: none given) */
	if (at > INT64_MAX) {
		fprintf(stderr, "fuzz_control: invariant broken: at_sample %llu passed on\n",
			(unsigned long long)at);
		abort();
	}
	if (path && strstr(path, "bad")) {
		snprintf(err, errlen, "model %s: refused by the stub", path);
		refused++;
		return -EINVAL;
	}
	swaps++;
	*gen = ++p->gen;
	return 0;
}

const char *edgeai_version(void)
{
	return "fuzz";
}

static void fail(const char *what, const char *reply)
{
	fprintf(stderr, "fuzz_control: invariant broken: %s; reply: %s\n",
		what, reply ? reply : "(none)");
	abort();
}

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ead_pipeline *pipes[2] = { &fake[0], &fake[1] };
	struct json_object *rep, *okv, *gen;
	unsigned int swaps0 = swaps, refused0 = refused;
	char buf[REQ_MAX + 1024];
	const char *err, *name;
	ssize_t got;
	int sv[2];

	/* an empty message reads as "the client closed": no reply then */
	if (!size || size > REQ_MAX)
		return 0;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		abort();
	if (send(sv[0], data, size, 0) != (ssize_t)size)
		abort();
	ead_control_serve(sv[1], pipes, 2);	/* closes sv[1] */
	got = recv(sv[0], buf, sizeof(buf) - 1, MSG_DONTWAIT);
	if (got <= 0)
		fail("no reply", NULL);
	buf[got] = '\0';
	if (recv(sv[0], buf + got, 1, MSG_DONTWAIT) > 0)
		fail("more than one reply", buf);
	close(sv[0]);

	rep = json_tokener_parse(buf);
	if (!rep || !json_object_is_type(rep, json_type_object))
		fail("the reply is not a JSON object", buf);
	if (!json_object_object_get_ex(rep, "ok", &okv) ||
	    !json_object_is_type(okv, json_type_boolean))
		fail("no boolean \"ok\"", buf);
	if (!json_object_get_boolean(okv)) {
		err = str(rep, "error");
		if (!err || !err[0])
			fail("a failure without an error message", buf);
		if (swaps != swaps0)
			fail("a refused request swapped a model", buf);
	} else if (json_object_object_get_ex(rep, "pid", NULL)) {
		if (!str(rep, "version"))
			fail("ping without a version", buf);
	} else {
		name = str(rep, "pipeline");
		if (!name || (strcmp(name, "imu") && strcmp(name, "net")))
			fail("a reload of no existing pipeline", buf);
		if (swaps != swaps0 + 1 || refused != refused0)
			fail("a reload reported without exactly one swap", buf);
		if (!json_object_object_get_ex(rep, "model_gen", &gen) ||
		    !json_object_is_type(gen, json_type_int) ||
		    json_object_get_int64(gen) !=
		    (!strcmp(name, "imu") ? fake[0].gen : fake[1].gen))
			fail("model_gen is not the new generation", buf);
		name = str(rep, "model");
		if (name && name[0] != '/')
			fail("a relative model path was accepted", buf);
	}
	json_object_put(rep);
	return 0;
}
