// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket: a Unix SOCK_SEQPACKET socket (default
 * /run/edgeaid/control.sock, mode 0660) on which edgeaictl asks the
 * running daemon to do things. One connection carries one request and
 * one reply, each a JSON object in one message:
 *
 *	{"cmd":"ping"}
 *	  -> {"ok":true,"pid":1234,"version":"0.3.0"}
 *	{"cmd":"reload","pipeline":"imu","model":"/etc/edgeai/imu-v2.st"}
 *	  -> {"ok":true,"pipeline":"imu","model":"...","model_gen":2}
 *	  -> {"ok":false,"error":"...: the model maps 6 inputs to 2 outputs; ..."}
 *	{"cmd":"reload","pipeline":"imu","at_sample":15000}
 *	  -> {"ok":true,"pipeline":"imu","model_gen":3,"at_sample":15000}
 *
 * "model" is optional (the running model's file again); "at_sample"
 * too: the new model takes over once the pipeline has taken in that many
 * input samples (samples_in), not at the next batch. Only root and
 * the daemon's own user may ask (SO_PEERCRED). The main thread serves a
 * connection at once, waiting at most a second for its request.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#include <edgeai/edgeai.h>

#include "edgeaid.h"

#define REQ_MAX		8192

static int bind_at(int fd, const struct sockaddr_un *sun)
{
	return bind(fd, (const struct sockaddr *)sun, sizeof(*sun)) ? -errno : 0;
}

int ead_control_open(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char dir[sizeof(sun.sun_path)], *slash;
	int fd, probe, ret;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return -errno;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ret = bind_at(fd, &sun);
	if (ret == -EADDRINUSE) {
		/* a stale socket of a daemon that died, or a live one? */
		probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (probe >= 0 &&
		    connect(probe, (struct sockaddr *)&sun, sizeof(sun)) < 0 &&
		    errno == ECONNREFUSED) {
			unlink(path);
			ret = bind_at(fd, &sun);
		}
		if (probe >= 0)
			close(probe);
	}
	if (!ret && chmod(path, 0660) < 0)
		ret = -errno;
	if (!ret && listen(fd, 8) < 0)
		ret = -errno;
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

static void reply(int fd, struct json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);

	if (send(fd, s, strlen(s), MSG_NOSIGNAL) < 0)
		ead_log(EAD_LOG_DEBUG, "control: reply: %s", strerror(errno));
	json_object_put(o);
}

static void reply_error(int fd, const char *msg)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "ok", json_object_new_boolean(0));
	json_object_object_add(o, "error", json_object_new_string(msg));
	reply(fd, o);
}

static const char *jget(struct json_object *req, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(req, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static void do_reload(int fd, struct json_object *req,
		      struct ead_pipeline *const *pipes, unsigned int n)
{
	const char *name = jget(req, "pipeline"), *model = jget(req, "model");
	struct json_object *o, *v;
	char err[EAD_ERR_LEN];
	uint64_t at = 0;
	unsigned int i;
	uint32_t gen;
	int ret;

	if (!name) {
		reply_error(fd, "reload: \"pipeline\" (a string) is required");
		return;
	}
	if (json_object_object_get_ex(req, "at_sample", &v)) {
		if (!json_object_is_type(v, json_type_int) ||
		    json_object_get_int64(v) < 1) {
			reply_error(fd, "reload: \"at_sample\" must be an integer from 1 to 9223372036854775807");
			return;
		}
		at = (uint64_t)json_object_get_int64(v);
	}
	for (i = 0; i < n; i++)
		if (pipes[i] && !strcmp(ead_pipeline_name(pipes[i]), name))
			break;
	if (i == n) {
		snprintf(err, sizeof(err), "no pipeline '%s'", name);
		reply_error(fd, err);
		return;
	}
	if (model && model[0] != '/') {
		snprintf(err, sizeof(err),
			 "model %s: give an absolute path (the daemon's working directory is not yours)",
			 model);
		reply_error(fd, err);
		return;
	}
	ret = ead_pipeline_swap_model(pipes[i], model, at, &gen, err,
				      sizeof(err));
	if (ret) {
		reply_error(fd, err);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "ok", json_object_new_boolean(1));
	json_object_object_add(o, "pipeline", json_object_new_string(name));
	if (model)
		json_object_object_add(o, "model", json_object_new_string(model));
	json_object_object_add(o, "model_gen", json_object_new_int64(gen));
	if (at)
		json_object_object_add(o, "at_sample",
				       json_object_new_int64((int64_t)at));
	reply(fd, o);
}

void ead_control_serve(int fd, struct ead_pipeline *const *pipes,
		       unsigned int n)
{
	struct timeval tv = { .tv_sec = 1 };
	struct json_object *req = NULL, *o;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	char *buf = malloc(REQ_MAX + 1);
	const char *cmd;
	ssize_t got;

	if (!buf)
		goto out;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
	    (cred.uid != 0 && cred.uid != getuid())) {
		ead_log(EAD_LOG_WARN, "control socket: refused a request of uid %d",
			(int)cred.uid);
		reply_error(fd, "permission denied: root or the daemon's user only");
		goto out;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	do {
		got = recv(fd, buf, REQ_MAX, 0);
	} while (got < 0 && errno == EINTR);
	if (got <= 0) {
		ead_log(EAD_LOG_WARN, "control socket: no request: %s",
			got ? strerror(errno) : "the client closed");
		goto out;
	}
	buf[got] = '\0';
	req = json_tokener_parse(buf);
	if (!req || !json_object_is_type(req, json_type_object)) {
		reply_error(fd, "the request is not a JSON object");
		goto out;
	}
	cmd = jget(req, "cmd");
	if (cmd && !strcmp(cmd, "reload")) {
		do_reload(fd, req, pipes, n);
	} else if (cmd && !strcmp(cmd, "ping")) {
		o = json_object_new_object();
		json_object_object_add(o, "ok", json_object_new_boolean(1));
		json_object_object_add(o, "pid", json_object_new_int64(getpid()));
		json_object_object_add(o, "version",
				       json_object_new_string(edgeai_version()));
		reply(fd, o);
	} else {
		char err[160];

		snprintf(err, sizeof(err), "unknown command '%s' (ping, reload)",
			 cmd ? cmd : "");
		reply_error(fd, err);
	}
out:
	json_object_put(req);
	free(buf);
	close(fd);
}
