#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Validate edgeaictl's JSON output against the schemas in docs/schema/.

  json_validate.py [--lines | --stream] [--min N] SCHEMA[#/$defs/NAME] FILE...
  json_validate.py --pair SCHEMA[#/$defs/NAME] COMPACT PRETTY
  json_validate.py --batch LIST
  json_validate.py --check [DIR]

SCHEMA is a file of docs/schema/ (a path, or a bare name such as
"stats.json" looked up there); "#/$defs/NAME" picks one command's output
in it. By default each FILE holds one JSON document (compact or pretty).
--lines: each non-empty line of FILE is one document, at least N of them
(default 1) -- the form of -j (one line per document), monitor -j (one
line per event) and top -j (one line per frame); a line that is not JSON
(e.g. a truncated last one) fails. --stream: FILE holds N or more
documents one after the other (monitor -p, top -p).

--pair takes the output of one command under -j (COMPACT) and under -p
(PRETTY): COMPACT must be exactly one line, PRETTY indented over several
(or "{ }"), both must validate, and both must have the same members of the
same types (values may differ: counters move between two runs).

--batch runs many checks in one process (a VM test cannot afford a Python
start per check): each line of LIST is "doc|lines|stream|pair SCHEMA
FILE..." with an optional minimum as in "lines=3" or "stream=2".

--check verifies that every schema in DIR (default docs/schema/) is a
valid draft 2020-12 schema, that every "$ref" in it resolves, and that
every object with a fixed set of members says so (additionalProperties
or unevaluatedProperties) and describes each member.

Exit 0 if everything validates, 1 otherwise (each error with its JSON
path on stderr), 2 on a usage error. Cross-file "$ref"s ("stats.json#/
$defs/runtime") resolve to the files next to the schema, never over the
network. Needs python3-jsonschema (Debian 12: 4.10; scripts/deps.sh).
"""
import argparse
import json
import os
import shlex
import sys
import urllib.parse
import urllib.request

try:
    import jsonschema
    from jsonschema import Draft202012Validator, RefResolver
except ImportError:  # pragma: no cover
    sys.stderr.write("json_validate.py: no python3-jsonschema: run scripts/deps.sh\n")
    sys.exit(2)

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA_DIR = os.path.normpath(os.path.join(HERE, "..", "..", "docs", "schema"))
MAX_ERRORS = 20


class Usage(Exception):
    pass


def file_uri(path):
    return urllib.parse.urljoin("file:", urllib.request.pathname2url(os.path.abspath(path)))


def load_store(directory):
    """Every schema of @directory by its file: URI."""
    store = {}
    for name in sorted(os.listdir(directory)):
        if name.endswith(".json"):
            path = os.path.join(directory, name)
            with open(path) as f:
                store[file_uri(path)] = json.load(f)
    return store


_validators = {}


def validator_for(ref):
    """A validator for "FILE[#FRAGMENT]" (cached)."""
    if ref in _validators:
        return _validators[ref]
    path, _, frag = ref.partition("#")
    if not os.path.exists(path) and os.sep not in path:
        path = os.path.join(SCHEMA_DIR, path)
    if not os.path.exists(path):
        raise Usage("no schema %s" % path)
    store = load_store(os.path.dirname(os.path.abspath(path)))
    uri = file_uri(path)
    root = store[uri]
    schema = {"$ref": uri + "#" + frag} if frag else root
    resolver = RefResolver(base_uri=uri, referrer=root, store=store)
    try:  # the fragment must name something
        resolver.resolve(schema.get("$ref", uri))
    except jsonschema.exceptions.RefResolutionError as e:
        raise Usage("%s: %s" % (ref, e))
    _validators[ref] = Draft202012Validator(schema, resolver=resolver)
    return _validators[ref]


def where(err):
    return "$" + "".join("[%d]" % p if isinstance(p, int) else ".%s" % p
                         for p in err.absolute_path)


def report(name, doc, validator):
    errs = sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    for e in errs[:MAX_ERRORS]:
        # oneOf/anyOf: say which branch came closest, and why.
        best = jsonschema.exceptions.best_match(e.context) if e.context else None
        msg = e.message if len(e.message) < 300 else e.message[:300] + "..."
        sys.stderr.write("%s: %s: %s\n" % (name, where(e), msg))
        if best is not None:
            sys.stderr.write("%s:   closest: %s: %s\n" % (name, where(best), best.message))
    if len(errs) > MAX_ERRORS:
        sys.stderr.write("%s: ... and %d more errors\n" % (name, len(errs) - MAX_ERRORS))
    return not errs


def fail(msg):
    sys.stderr.write(msg + "\n")
    return False


def read(path):
    with open(path) as f:
        return f.read()


def docs_of(mode, path, text, minimum):
    """(name, document) pairs of FILE in @mode; None after a message."""
    docs = []
    if mode == "lines":
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                docs.append(("%s:%d" % (path, n), json.loads(line)))
            except ValueError as e:
                fail("%s:%d: not JSON: %s: %r" % (path, n, e, line[:200]))
                return None
    elif mode == "stream":
        dec, i = json.JSONDecoder(), 0
        while text[i:].strip():
            while text[i].isspace():
                i += 1
            try:
                doc, i = dec.raw_decode(text, i)
            except ValueError as e:
                fail("%s: document %d: not JSON: %s" % (path, len(docs) + 1, e))
                return None
            docs.append(("%s#%d" % (path, len(docs) + 1), doc))
    else:
        try:
            docs.append((path, json.loads(text)))
        except ValueError as e:
            fail("%s: not JSON: %s: %r" % (path, e, text[:200]))
            return None
    if len(docs) < minimum:
        fail("%s: %d JSON documents, expected at least %d" % (path, len(docs), minimum))
        return None
    return docs


def check_files(mode, ref, files, minimum=1):
    validator = validator_for(ref)
    ok = True
    for path in files:
        docs = docs_of(mode, path, read(path), minimum)
        if docs is None:
            ok = False
            continue
        for name, doc in docs:
            ok &= report(name, doc, validator)
    return ok


def shape(v):
    """A document with its values replaced by their types."""
    if isinstance(v, dict):
        return {k: shape(x) for k, x in v.items()}
    if isinstance(v, list):
        return [shape(x) for x in v]
    return type(v).__name__


def check_pair(ref, files):
    validator = validator_for(ref)
    if len(files) != 2:
        raise Usage("pair takes COMPACT and PRETTY")
    compact, pretty = files
    ctext, ptext = read(compact), read(pretty)
    ok = True
    if ctext.count("\n") != 1 or not ctext.endswith("\n"):
        ok = fail("%s: -j output is not exactly one line: %r" % (compact, ctext[:300]))
    if ptext.count("\n") < 2 and ptext.strip() != "{ }":
        ok = fail("%s: -p output is not indented: %r" % (pretty, ptext[:300]))
    docs = []
    for name, text in ((compact, ctext), (pretty, ptext)):
        try:
            docs.append(json.loads(text))
        except ValueError as e:
            return fail("%s: not JSON: %s: %r" % (name, e, text[:200]))
        ok &= report(name, docs[-1], validator)
    if ok and shape(docs[0]) != shape(docs[1]):
        ok = fail("%s and %s: -j and -p documents differ: %s / %s"
                  % (compact, pretty, json.dumps(docs[0])[:300], json.dumps(docs[1])[:300]))
    return ok


def check_batch(listfile):
    ok = True
    for n, line in enumerate(read(listfile).splitlines(), 1):
        words = shlex.split(line)
        if not words:
            continue
        mode, _, minimum = words[0].partition("=")
        if mode not in ("doc", "lines", "stream", "pair") or len(words) < 3:
            raise Usage("%s:%d: not MODE SCHEMA FILE...: %r" % (listfile, n, line))
        if mode == "pair":
            ok &= check_pair(words[1], words[2:])
        else:
            ok &= check_files(mode, words[1], words[2:], int(minimum or 1))
    return ok


def walk(node, ptr="", cond=False):
    """Every (JSON pointer, subschema, conditional) of a schema document:
    conditional for what is under if, then, else and not, which constrain
    a shape described elsewhere rather than describe one."""
    yield ptr, node, cond
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("const", "enum", "examples", "default"):
                continue
            yield from walk(v, ptr + "/" + k.replace("~", "~0").replace("/", "~1"),
                            cond or k in ("if", "then", "else", "not"))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, "%s/%d" % (ptr, i), cond)


def check_schemas(directory):
    store = load_store(directory)
    ok = True
    for uri, schema in store.items():
        name = os.path.basename(urllib.parse.urlparse(uri).path)
        try:
            Draft202012Validator.check_schema(schema)
        except jsonschema.exceptions.SchemaError as e:
            ok = fail("%s: not a valid schema: %s at %s"
                      % (name, e.message, "/".join(map(str, e.path))))
            continue
        if schema.get("$schema") != "https://json-schema.org/draft/2020-12/schema":
            ok = fail("%s: $schema is not draft 2020-12" % name)
        resolver = RefResolver(base_uri=uri, referrer=schema, store=store)
        for ptr, node, cond in walk(schema):
            if not isinstance(node, dict):
                continue
            ref = node.get("$ref")
            if isinstance(ref, str):
                try:
                    resolver.resolve(urllib.parse.urljoin(uri, ref))
                except jsonschema.exceptions.RefResolutionError as e:
                    ok = fail("%s#%s: $ref %s does not resolve: %s" % (name, ptr, ref, e))
            props = node.get("properties")
            if (isinstance(props, dict) and not cond and
                    ptr.split("/")[-1] != "properties"):
                if ("additionalProperties" not in node and
                        "unevaluatedProperties" not in node):
                    ok = fail("%s#%s: an object schema without additionalProperties"
                              % (name, ptr))
                for key, sub in props.items():
                    if not isinstance(sub, dict) or "description" not in sub:
                        ok = fail("%s#%s/properties/%s: no description" % (name, ptr, key))
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--lines", action="store_true",
                      help="each non-empty line is one JSON document")
    mode.add_argument("--stream", action="store_true",
                      help="documents one after the other")
    mode.add_argument("--pair", action="store_true",
                      help="COMPACT and PRETTY output of one command")
    mode.add_argument("--batch", metavar="LIST", help="checks listed in LIST")
    mode.add_argument("--check", action="store_true",
                      help="check the schemas themselves")
    ap.add_argument("--min", type=int, default=1,
                    help="with --lines or --stream: at least this many documents")
    ap.add_argument("schema", nargs="?", help="SCHEMA[#/$defs/NAME]")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    try:
        if args.check:
            ok = check_schemas(args.schema or SCHEMA_DIR)
        elif args.batch:
            ok = check_batch(args.batch)
        elif not args.schema or not args.files:
            ap.print_usage(sys.stderr)
            return 2
        elif args.pair:
            ok = check_pair(args.schema, args.files)
        else:
            ok = check_files("lines" if args.lines else "stream" if args.stream else "doc",
                             args.schema, args.files, args.min)
    except Usage as e:
        sys.stderr.write("json_validate.py: %s\n" % e)
        return 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
