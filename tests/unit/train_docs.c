// SPDX-License-Identifier: GPL-2.0
/*
 * include/edgeai/train.h, userspace/lib/libedgeai.map and
 * tools/man/edgeai_train.3 agree: every function the header declares is
 * exported once (in the map's train block) and documented (named in NAME,
 * declared in SYNOPSIS, described in the text), nothing else
 * edgeai_train_* is exported, and groff renders the page without a
 * warning.
 */
#include <ctype.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "edgeai_test.h"

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

static bool ident(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Occurrences of the whole word @w in @text. */
static int count_word(const char *text, const char *w)
{
	size_t len = strlen(w);
	const char *p = text;
	int n = 0;

	while ((p = strstr(p, w))) {
		if ((p == text || !ident(p[-1])) && !ident(p[len]))
			n++;
		p += len;
	}
	return n;
}

/* Whole word @w in @text between @from and @to (markers, in order). */
static bool word_between(char *text, const char *from, const char *to,
			 const char *w)
{
	char *a = from ? strstr(text, from) : text, *b = strstr(text, to), c;
	bool found;

	T_ASSERT(a && b && a < b);
	c = *b;
	*b = '\0';
	found = count_word(a, w) > 0;
	*b = c;
	return found;
}

int main(void)
{
	char *hdr = slurp("include/edgeai/train.h");
	char *map = slurp("userspace/lib/libedgeai.map");
	char *man = slurp("tools/man/edgeai_train.3");
	char *block = strstr(map, "/* train: include/edgeai/train.h */");
	const char *p = hdr, *m;
	char name[128], cmd[640], seen[4096] = " ";
	size_t n;
	int funcs = 0, st;

	T_ASSERT(block);
	while ((p = strstr(p, "edgeai_train_"))) {
		for (n = 0; ident(p[n]); n++)
			;
		if (p[n] != '(' || n >= sizeof(name)) {
			p += n;
			continue;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		p += n;
		if (count_word(seen, name))	/* named again in a comment */
			continue;
		T_ASSERT(strlen(seen) + n + 2 < sizeof(seen));
		strcat(strcat(seen, name), " ");
		funcs++;
		if (count_word(map, name) != 1 || !count_word(block, name))
			T_FAILF("%s: exported %d times, in the train block: %d", name,
				count_word(map, name), count_word(block, name));
		if (!word_between(man, NULL, ".SH SYNOPSIS", name))
			T_FAILF("%s: not in the NAME section of edgeai_train.3", name);
		if (!word_between(man, ".SH SYNOPSIS", ".SH DESCRIPTION", name))
			T_FAILF("%s: not in the SYNOPSIS of edgeai_train.3", name);
		if (!word_between(man, ".SH DESCRIPTION", ".SH RETURN VALUE", name))
			T_FAILF("%s: not described in edgeai_train.3", name);
		t_checks += 4;
	}
	T_EQ(funcs, 11);
	for (m = map; (m = strstr(m, "edgeai_train_")); m += strlen(name)) {
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(m, ";\n \t"), m);
		if (!strstr(hdr, name))
			T_FAILF("%s: exported but not in train.h", name);
		t_checks++;
	}
	snprintf(cmd, sizeof(cmd), "groff -man -ww -z '%s/tools/man/edgeai_train.3' 2>&1 | grep -q .",
		 getenv("EDGEAI_SRC") ? getenv("EDGEAI_SRC") : ".");
	st = system(cmd);
	T_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 1);	/* grep found nothing */
	free(hdr);
	free(map);
	free(man);
	return t_done();
}
