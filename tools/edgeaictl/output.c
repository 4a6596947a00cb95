// SPDX-License-Identifier: GPL-2.0
/* Text and JSON output behind one set of calls (JSON through json-c). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "main.h"

#define MAX_DEPTH 8

static struct json_object *stack[MAX_DEPTH];
static int depth = -1;
static int indent;

/* Returns false when the field has no text form (JSON-only). */
static bool text_label(const char *label)
{
	if (!label)
		return false;
	printf("%*s%s:", indent * 2, "", label);
	return true;
}

static void json_add(const char *key, struct json_object *val)
{
	if (depth < 0) {
		json_object_put(val);
		return;
	}
	if (json_object_is_type(stack[depth], json_type_array))
		json_object_array_add(stack[depth], val);
	else
		json_object_object_add(stack[depth], key, val);
}

static void json_push(const char *key, struct json_object *obj)
{
	if (depth < 0 || depth + 1 >= MAX_DEPTH) {
		json_object_put(obj);
		return;
	}
	json_add(key, json_object_get(obj));
	json_object_put(obj);
	stack[++depth] = obj;
}

void out_begin(void)
{
	if (!json_output)
		return;
	depth = 0;
	stack[0] = json_object_new_object();
}

int out_end(void)
{
	/* Paths are printed as they are: "/sys", not "\/sys". */
	int flags = JSON_C_TO_STRING_NOSLASHESCAPE |
		(pretty_output ? JSON_C_TO_STRING_PRETTY |
		 JSON_C_TO_STRING_SPACED : JSON_C_TO_STRING_PLAIN);

	if (!json_output || depth < 0)
		return 0;
	puts(json_object_to_json_string_ext(stack[0], flags));
	json_object_put(stack[0]);
	depth = -1;
	return fflush(stdout) ? -1 : 0;
}

void out_obj_begin(const char *key, const char *label)
{
	if (json_output) {
		json_push(key, json_object_new_object());
		return;
	}
	if (text_label(label))
		putchar('\n');
	indent++;
}

void out_array_begin(const char *key)
{
	if (json_output)
		json_push(key, json_object_new_array());
}

void out_array_end(void)
{
	if (json_output && depth > 0)
		depth--;
}

void out_text(const char *fmt, ...)
{
	va_list ap;

	if (json_output)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

void out_obj_end(void)
{
	if (json_output) {
		if (depth > 0)
			depth--;
		return;
	}
	if (indent > 0)
		indent--;
}

void out_str(const char *key, const char *label, const char *val)
{
	if (json_output) {
		json_add(key, json_object_new_string(val));
		return;
	}
	if (text_label(label))
		printf(" %s\n", val);
}

void out_u64(const char *key, const char *label, uint64_t val)
{
	if (json_output) {
		json_add(key, json_object_new_uint64(val));
		return;
	}
	if (text_label(label))
		printf(" %llu\n", (unsigned long long)val);
}

void out_bool(const char *key, const char *label, bool val)
{
	if (json_output) {
		json_add(key, json_object_new_boolean(val));
		return;
	}
	if (text_label(label))
		printf(" %s\n", val ? "yes" : "no");
}

void out_double(const char *key, const char *label, double val)
{
	char buf[32];

	if (json_output) {
		/* JSON has no NaN or infinity: null stands for them. */
		if (!isfinite(val)) {
			json_add(key, NULL);
			return;
		}
		snprintf(buf, sizeof(buf), "%.10g", val);
		json_add(key, json_object_new_double_s(val, buf));
		return;
	}
	if (text_label(label))
		printf(" %g\n", val);
}

void out_strlist(const char *key, const char *label, const char **vals,
		 int n)
{
	int i;

	if (json_output) {
		struct json_object *arr = json_object_new_array();

		for (i = 0; i < n; i++)
			json_object_array_add(arr,
					      json_object_new_string(vals[i]));
		json_add(key, arr);
		return;
	}
	if (!text_label(label))
		return;
	if (!n)
		fputs(" none", stdout);
	for (i = 0; i < n; i++)
		printf(" %s", vals[i]);
	putchar('\n');
}

int error_out(int status, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);

	if (json_output) {
		struct json_object *err = json_object_new_object();

		if (depth >= 0) {
			json_object_put(stack[0]);
			depth = -1;
		}
		json_object_object_add(err, "error",
				       json_object_new_string(buf));
		puts(json_object_to_json_string_ext(err,
			JSON_C_TO_STRING_NOSLASHESCAPE |
			(pretty_output ? JSON_C_TO_STRING_PRETTY :
					 JSON_C_TO_STRING_PLAIN)));
		json_object_put(err);
	} else {
		fprintf(stderr, "%s: %s\n", bin_name, buf);
	}
	return status;
}
