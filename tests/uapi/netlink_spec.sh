#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kmod/edgeai.yaml is the source of truth of the netlink family: the UAPI
# header must define exactly its names with exactly its values (in the
# naming of the kernel's ynl-gen), and kmod/netlink.c must implement its
# requests: each op with do/dump as specified and a policy that takes
# exactly the spec's request attributes.
set -u
. "$EDGEAI_SRC/tests/lib.sh"
SPEC=$EDGEAI_SRC/kmod/edgeai.yaml
HDR=$EDGEAI_SRC/include/uapi/linux/edgeai_netlink.h
KSRC=$EDGEAI_SRC/kmod/netlink.c
work=$(mktemp -d)
trap 'rm -rf "$work" "$T_OUT" "$T_ERR"' EXIT

/usr/bin/python3 -c 'import yaml' 2>/dev/null ||
	t_fail "python3-yaml missing (scripts/deps.sh installs it through llvm)"

# The spec as "NAME VALUE" lines (strings quoted), and the C checks.
/usr/bin/python3 - "$SPEC" "$HDR" "$KSRC" "$work" <<'PY' || t_fail "spec and code disagree"
import re, sys, yaml

spec_path, hdr_path, ksrc_path, work = sys.argv[1:]
spec = yaml.safe_load(open(spec_path))
c = lambda s: s.upper().replace("-", "_")
consts = []          # (C name, value or quoted string)

fam = spec["name"]
consts.append((c(spec["c-family-name"]), '"%s"' % fam))
consts.append((c(spec["c-version-name"]), spec.get("version", 1)))
for g in spec["mcast-groups"]["list"]:
    consts.append((c(g["c-define-name"]), '"%s"' % g["name"]))
for d in spec.get("definitions", []):
    assert d["type"] == "enum", d
    v = d.get("value-start", 0)
    for e in d["entries"]:
        e = e if isinstance(e, dict) else {"name": e}
        v = e.get("value", v)
        consts.append((c(d["name-prefix"] + e["name"]), v))
        v += 1

sets = {}
for s in spec["attribute-sets"]:
    pfx = c(s["name-prefix"])
    v, names = 1, {}
    for a in s["attributes"]:
        v = a.get("value", v)
        names[a["name"]] = v
        consts.append((pfx + c(a["name"]), v))
        if a["type"] == "nest":
            assert a["nested-attributes"] in [x["name"] for x in spec["attribute-sets"]], a
        v += 1
    consts.append(("__" + pfx + "MAX", v))
    consts.append((pfx + "MAX", v - 1))
    sets[s["name"]] = (pfx, names)

ops = spec["operations"]
opfx = c(ops["name-prefix"])
v = 1
for op in ops["list"]:
    v = op.get("value", v)
    consts.append((opfx + c(op["name"]), v))
    v += 1
consts.append(("__" + opfx + "MAX", v))
consts.append((opfx + "MAX", v - 1))

# Every enumerator and define of the header is in the spec.
hdr = open(hdr_path).read()
body = re.sub(r"/\*.*?\*/", "", hdr, flags=re.S)
names = set(re.findall(r"^\s*(_*EDGEAI_[A-Z0-9_]+)\s*(?:=[^,\n]*)?,?\s*$", body, re.M))
names |= set(re.findall(r"^#define\s+(EDGEAI_[A-Z0-9_]+)\s", body, re.M))
names.discard("_UAPI_LINUX_EDGEAI_NETLINK_H")
extra = names - {n for n, _ in consts}
assert not extra, "in the header, not in the spec: %s" % sorted(extra)

with open(work + "/check.c", "w") as f:
    f.write("#include <string.h>\n#include <linux/edgeai_netlink.h>\n")
    for n, val in consts:
        if isinstance(val, str):
            f.write('_Static_assert(sizeof(%s) == sizeof(%s), "%s");\n' % (n, val, n))
        else:
            f.write('_Static_assert(%s == %d, "%s");\n' % (n, val, n))
    f.write("int main(void)\n{\n")
    for n, val in consts:
        if isinstance(val, str):
            f.write("\tif (strcmp(%s, %s))\n\t\treturn 1;\n" % (n, val))
    f.write("\treturn 0;\n}\n")

# The kernel's ops and per-op policies.
ksrc = open(ksrc_path).read()
opsrc = ksrc[ksrc.index("edgeai_nl_ops[] = {"):]
opsrc = opsrc[:opsrc.index("\n};")]
kops = {}
for blk in re.findall(r"\{(.*?)\n\t\}", opsrc, re.S):
    cmd = re.search(r"\.cmd\s*=\s*(\w+)", blk).group(1)
    kops[cmd] = blk
want_ops = set()
for op in ops["list"]:
    if "do" not in op and "dump" not in op:
        continue        # an event
    n = opfx + c(op["name"])
    want_ops.add(n)
    assert n in kops, "%s not in edgeai_nl_ops" % n
    blk = kops[n]
    assert ("do" in op) == (".doit" in blk), n
    assert ("dump" in op) == (".dumpit" in blk), n
    assert "admin-perm" not in op.get("flags", []) or "GENL_ADMIN_PERM" in blk, n
    req = op.get("do", {}).get("request", {}).get("attributes", [])
    pol = re.search(r"\.policy\s*=\s*(\w+)", blk)
    if not req:
        assert not pol, "%s takes no attribute: the core's reject-all policy" % n
        continue
    assert pol, "%s has no policy" % n
    psrc = ksrc[ksrc.index(pol.group(1) + "["):]
    psrc = psrc[:psrc.index("};")]
    pfx, anames = sets[op["attribute-set"]]
    got = set(re.findall(r"\[(EDGEAI_A_\w+)\]", psrc))
    assert got == {pfx + c(a) for a in req}, (n, got)
    top = max(anames[a] for a in req)
    assert re.search(r"\[%s \+ 1\]" % (pfx + c([a for a in req if anames[a] == top][0])), psrc), \
        "%s: the policy must end at its last request attribute" % n
assert set(kops) == want_ops, (sorted(kops), sorted(want_ops))
print("%d constants, %d ops checked" % (len(consts), len(want_ops)))
PY
${CC:-cc} -std=c11 -Wall -Wextra -Werror -I"$EDGEAI_SRC/include/uapi" \
	-o "$work/check" "$work/check.c" || t_fail "the header's values differ from the spec"
"$work/check" || t_fail "the header's strings differ from the spec"
t_pass
