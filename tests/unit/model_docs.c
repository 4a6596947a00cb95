// SPDX-License-Identifier: GPL-2.0
/*
 * include/edgeai/model.h, userspace/lib/libedgeai.map and
 * tools/man/edgeai_model.3 agree: every function the header declares is
 * exported and documented (named in NAME, declared in SYNOPSIS, described
 * in the text), nothing else edgeai_model_* is exported, and groff renders
 * the page without a warning.
 */
#include <ctype.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "edgeai_test.h"

#define BUILDER "edgeai_model_builder"

static char *slurp(const char *rel)
{
	const char *src = getenv("EDGEAI_SRC");
	char path[512];
	struct stat st;
	char *buf;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", src ? src : ".", rel);
	f = fopen(path, "r");
	T_ASSERT(f && !fstat(fileno(f), &st));
	buf = calloc(1, st.st_size + 1);
	T_ASSERT(buf && fread(buf, 1, st.st_size, f) == (size_t)st.st_size);
	fclose(f);
	return buf;
}

/* Occurrences of the whole word @w in @text. */
static int count_word(const char *text, const char *w)
{
	size_t len = strlen(w);
	const char *p = text;
	int n = 0;

	while ((p = strstr(p, w))) {
		if ((p == text || !(isalnum((unsigned char)p[-1]) || p[-1] == '_')) &&
		    !(isalnum((unsigned char)p[len]) || p[len] == '_'))
			n++;
		p += len;
	}
	return n;
}

/* The next identifier edgeai_model_* followed by "(" in @p, or NULL. */
static const char *next_function(const char *p, char *name, size_t size)
{
	size_t n;

	while ((p = strstr(p, "edgeai_model_"))) {
		for (n = 0; isalnum((unsigned char)p[n]) || p[n] == '_'; n++)
			;
		if (p[n] == '(' && n < size) {
			memcpy(name, p, n);
			name[n] = '\0';
			return p + n;
		}
		p += n;
	}
	return NULL;
}

int main(void)
{
	char *hdr = slurp("include/edgeai/model.h");
	char *map = slurp("userspace/lib/libedgeai.map");
	char *man = slurp("tools/man/edgeai_model.3");
	char *synopsis = strstr(man, ".SH SYNOPSIS"), *desc = strstr(man, ".SH DESCRIPTION");
	const char *p = hdr, *m;
	char name[128], cmd[640];
	int n = 0, st;

	T_ASSERT(synopsis && desc && synopsis < desc);
	while ((p = next_function(p, name, sizeof(name)))) {
		n++;
		if (count_word(map, name) != 1)
			T_FAILF("%s: exported %d times in libedgeai.map", name,
				count_word(map, name));
		*synopsis = '\0';
		if (!count_word(man, name))
			T_FAILF("%s: not in the NAME section of edgeai_model.3", name);
		*synopsis = '.';
		*desc = '\0';
		if (!count_word(synopsis, name))
			T_FAILF("%s: not in the SYNOPSIS of edgeai_model.3", name);
		*desc = '.';
		/* Builder functions may be described as _add_pca() etc. */
		if (!count_word(desc, name) &&
		    !(!strncmp(name, BUILDER, strlen(BUILDER)) &&
		      count_word(desc, name + strlen(BUILDER))))
			T_FAILF("%s: not described in edgeai_model.3", name);
		t_checks += 4;
	}
	T_CHECK(n >= 38);
	/* Nothing exported under edgeai_model_ that the header does not declare. */
	for (m = map; (m = strstr(m, "edgeai_model_")); m += strlen(name)) {
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(m, ";\n \t"), m);
		if (!strstr(hdr, name))
			T_FAILF("%s: exported but not in model.h", name);
		t_checks++;
	}
	snprintf(cmd, sizeof(cmd), "groff -man -ww -z '%s/tools/man/edgeai_model.3' 2>&1 | grep -q .",
		 getenv("EDGEAI_SRC") ? getenv("EDGEAI_SRC") : ".");
	st = system(cmd);
	T_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 1);	/* grep found nothing */
	free(hdr);
	free(map);
	free(man);
	return t_done();
}
