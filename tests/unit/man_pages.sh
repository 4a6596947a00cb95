#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The man pages of edgeaictl against the tool itself:
#  - every object that "edgeaictl help" lists (Objects:) has its page
#    tools/man/edgeaictl-OBJECT.8 (top shares edgeaictl-stats.8, help
#    needs none) or, failing that, is documented in edgeaictl.8; every
#    object is in edgeaictl.8's SYNOPSIS and, in bold, in its OBJECTS;
#  - every command that "edgeaictl OBJECT help" lists (its Commands: or
#    its Usage: lines), and help, is in bold in the SYNOPSIS of the
#    object's page; every option it lists (-x, --xyz) is in the page, and
#    so are those of "edgeaictl OBJECT COMMAND help" where the object
#    offers that;
#  - every edgeaictl page has .TH and NAME matching its file name, a
#    SYNOPSIS and an EXAMPLES section, and is in edgeaictl.8's SEE ALSO;
#    every edgeaictl-*(8) reference in tools/man/ names a page that exists;
#  - every page under tools/man/ formats with groff -man -ww without a
#    warning.
set -u
. "$EDGEAI_SRC/tests/lib.sh"

CTL=$EDGEAI_BUILD/edgeaictl
MAN=$EDGEAI_SRC/tools/man
PY=/usr/bin/python3
[ -x "$CTL" ] || t_fail "no $CTL: run make"
command -v groff >/dev/null || t_skip "groff is not installed"
HELP=$(mktemp -d)
trap 'rm -rf "$HELP" "$T_OUT" "$T_ERR"' EXIT
ERRORS=0

err()
{
	echo "man_pages: $*" >&2
	ERRORS=$((ERRORS + 1))
}

# man_words PAGE SECTION FONT: the words of SECTION ("" for the whole
# page) of the man page PAGE, one a line: those in bold (FONT B) or in
# any font (FONT any). It follows the font alternation of .B .BR .RB .BI
# .IB .I .IR .RI and the \fB \fI \fR \fP escapes.
man_words()
{
	"$PY" - "$@" <<'PY'
import re, sys

page, section, want = sys.argv[1], sys.argv[2], sys.argv[3]
ESC = [(r"\-", "-"), (r"\(aq", "'"), (r"\(em", " "), (r"\(lq", '"'),
       (r"\(rq", '"'), (r"\e", "\\"), (r"\&", ""), (r"\ ", " "),
       (r"\c", "")]
ALT = {"B": "B", "I": "I", "BR": "BR", "RB": "RB", "BI": "BI",
       "IB": "IB", "IR": "IR", "RI": "RI", "TP": None}

def args(s):
    return [m.group(1) if m.group(1) is not None else m.group(2)
            for m in re.finditer(r'"((?:[^"]|"")*)"|(\S+)', s)]

def text(s, font):
    """(char, font) pairs of s, starting in font, after escapes."""
    out, prev, i = [], font, 0
    while i < len(s):
        m = re.match(r"\\f(\[[A-Z]*\]|[A-Z])", s[i:])
        if m:
            f = m.group(1).strip("[]") or "P"
            font, prev = (prev, font) if f == "P" else (f, font)
            i += m.end()
            continue
        for k, v in ESC:
            if s.startswith(k, i):
                out += [(c, font) for c in v]
                i += len(k)
                break
        else:
            if s.startswith("\\(", i):
                i += 4
            elif s.startswith("\\*", i):
                i += 3
            else:
                out.append((s[i], font))
                i += 1
    return out

chars, in_sec, bold_next = [], section == "", False
for line in open(page, encoding="utf-8"):
    line = line.rstrip("\n")
    m = re.match(r"\.SH\s+\"?([^\"]*)\"?\s*$", line)
    if m:
        in_sec = section == "" or m.group(1) == section
        continue
    if not in_sec or line.startswith('.\\"'):
        continue
    m = re.match(r"\.([A-Z]{1,2})(?:\s+(.*))?$", line)
    if m:
        mac, rest = m.group(1), m.group(2) or ""
        if mac not in ALT or ALT[mac] is None:
            continue
        if not rest and mac == "B":
            bold_next = True
            continue
        fonts = ALT[mac]
        for n, a in enumerate(args(rest)):
            chars += text(a, fonts[n % len(fonts)]) + [(" ", "R")]
        chars.append(("\n", "R"))
        continue
    chars += text(line, "B" if bold_next else "R") + [("\n", "R")]
    bold_next = False

word = re.compile(r"-{0,2}[A-Za-z0-9_][A-Za-z0-9_.]*(?:-[A-Za-z0-9_.]+)*")
s = "".join(c if want == "any" or f == "B" else " " for c, f in chars)
for w in sorted(set(word.findall(s))):
    print(w.rstrip("."))
PY
}

# has WORD FILE: WORD is a line of FILE.
has()
{
	grep -qxF -- "$1" "$2"
}

# The objects.
expect_rc 0 "$CTL" help
sed -n '/^Objects:/,/^$/p' "$T_OUT" | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p' >"$HELP/objects"
[ "$(wc -l <"$HELP/objects")" -ge 8 ] ||
	t_fail "cannot read the Objects: of 'edgeaictl help': $(cat "$T_OUT")"
for o in ring bpf pipeline model stats top version monitor; do
	has "$o" "$HELP/objects" || err "'edgeaictl help' does not list object $o"
done

main=$MAN/edgeaictl.8
[ -f "$main" ] || t_fail "no $main"
man_words "$main" SYNOPSIS any >"$HELP/main.synopsis"
man_words "$main" OBJECTS B >"$HELP/main.objects"
man_words "$main" "" B >"$HELP/main.bold"

while read -r o; do
	has "$o" "$HELP/main.synopsis" || err "edgeaictl.8: object $o is not in the SYNOPSIS"
	has "$o" "$HELP/main.objects" || err "edgeaictl.8: object $o is not (in bold) in OBJECTS"
	[ "$o" = help ] && continue

	case $o in
	top) page=$MAN/edgeaictl-stats.8 ;;
	*) page=$MAN/edgeaictl-$o.8 ;;
	esac
	if [ -f "$page" ]; then
		man_words "$page" SYNOPSIS B >"$HELP/$o.synopsis"
	else
		# No page of its own: edgeaictl.8 documents it.
		page=$main
		cp "$HELP/main.bold" "$HELP/$o.synopsis"
	fi
	man_words "$page" "" any >"$HELP/$o.all"

	"$CTL" "$o" help >"$HELP/$o.help" 2>"$T_ERR" ||
		{ err "'edgeaictl $o help' failed: $(cat "$T_ERR")"; continue; }
	{
		sed -n '/Commands:$/,/^$/p' "$HELP/$o.help" |
			sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p'
		sed -nE "s/^(Usage:)? +edgeaictl (\[[^]]*\] )*$o ([a-z][a-z-]*)( .*)?$/\3/p" \
			"$HELP/$o.help"
		echo help
	} | sort -u >"$HELP/$o.commands"
	while read -r c; do
		has "$c" "$HELP/$o.synopsis" ||
			err "$(basename "$page"): command '$o $c' is not (in bold) in the SYNOPSIS"
	done <"$HELP/$o.commands"

	# Options, of the object and, where it has them, of each command.
	cp "$HELP/$o.help" "$HELP/$o.opts"
	if grep -q "'$o COMMAND help'" "$HELP/$o.help"; then
		while read -r c; do
			[ "$c" = help ] && continue
			"$CTL" "$o" "$c" help >>"$HELP/$o.opts" 2>"$T_ERR" ||
				err "'edgeaictl $o $c help' failed: $(cat "$T_ERR")"
		done <"$HELP/$o.commands"
	fi
	grep -oE -- '(^|[][ |,(])--?[a-zA-Z][a-zA-Z0-9-]*' "$HELP/$o.opts" |
		sed 's/^[][ |,(]//' | sort -u >"$HELP/$o.options"
	while read -r opt; do
		has "$opt" "$HELP/$o.all" ||
			err "$(basename "$page"): option $opt of 'edgeaictl $o ... help' is not in the page"
	done <"$HELP/$o.options"
done <"$HELP/objects"

# The edgeaictl pages themselves.
man_words "$main" "SEE ALSO" any >"$HELP/main.seealso"
for page in "$MAN"/edgeaictl*.8; do
	name=$(basename "$page" .8)
	th=$(sed -n 's/^\.TH \([^ ]*\) \([^ ]*\) .*/\1 \2/p' "$page")
	[ "$th" = "${name^^} 8" ] || err "$name.8: .TH says '$th', not '${name^^} 8'"
	first=$(sed -n '/^\.SH NAME/{n;p;q}' "$page" | sed 's/\\-/-/g; s/[ ,].*//')
	[ "$first" = "$name" ] || err "$name.8: the NAME section names '$first'"
	for sec in SYNOPSIS EXAMPLES; do
		grep -q "^\.SH $sec\$" "$page" || err "$name.8: no $sec section"
	done
	[ "$page" = "$main" ] || has "$name" "$HELP/main.seealso" ||
		err "edgeaictl.8: SEE ALSO does not name $name(8)"
done
sed 's/\\-/-/g' "$MAN"/* | grep -oE 'edgeaictl(-[a-z]+)? *\(8\)' |
	sed 's/ *(8)//' | sort -u >"$HELP/refs"
while read -r ref; do
	[ -f "$MAN/$ref.8" ] || err "a page refers to $ref(8), which does not exist"
done <"$HELP/refs"

# Every page formats without a warning.
n=0
for page in "$MAN"/*.[1-8]; do
	n=$((n + 1))
	if ! groff -man -ww -z "$page" 2>"$T_ERR" || [ -s "$T_ERR" ]; then
		err "groff -man -ww $(basename "$page"): $(cat "$T_ERR")"
	fi
done
[ "$n" -gt 0 ] || t_fail "no man pages under $MAN"

[ "$ERRORS" -eq 0 ] || t_fail "$ERRORS problem(s) in the man pages"
t_pass
