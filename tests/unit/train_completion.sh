#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bash completion of "edgeaictl model" (tools/completion/edgeaictl.bash):
# commands and their prefixes, train's options and their values (kinds,
# optimizers, activations, tasks; column names from the header of the
# --csv file, item by item after commas for --features), files for
# predict and info.
set -u
. "$EDGEAI_SRC/tests/lib.sh"

SCRIPT=$EDGEAI_SRC/tools/completion/edgeaictl.bash
[ -f "$SCRIPT" ] || t_fail "no $SCRIPT"
DIR=$(mktemp -d)
trap 'rm -rf "$DIR" "$T_OUT" "$T_ERR"' EXIT
cd "$DIR" || t_fail "cd"
printf '"x1", x2 ,temp,y\r\n1,2,3,4\n' >data.csv
: >model.st

# shellcheck source=tools/completion/edgeaictl.bash
. "$SCRIPT"

comp()	# comp WORD...: the sorted candidates for the last word, one line
{
	COMP_WORDS=(edgeaictl "$@")
	COMP_CWORD=$#
	COMP_LINE="${COMP_WORDS[*]}"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_edgeaictl 2>/dev/null
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}

check()	# check EXPECTED WORD...
{
	local want=$1 got
	shift
	got=$(comp "$@")
	[ "$got" = "$want" ] || t_fail "edgeaictl $* <TAB>: got '$got', want '$want'"
}

check "model monitor" m
check "convert help info predict train" model ""
check "--features --name --outputs --version -o -v" model convert x.onnx -
check "predict" model p
check "-j" -j			# sanity: the global options still complete
check "linear logistic mlp softmax" model train --model ""
check "logistic" model tr --model lo
check "adam sgd" model train --csv data.csv --optimizer ""
check "identity relu sigmoid tanh" model train --activation ""
check "classification regression" model train --task ""
check "temp x1 x2 y" model train --csv data.csv --target ""
check "x1,temp x1,x1 x1,x2 x1,y" model train --csv data.csv --features x1,
check "temp" model train --csv data.csv --features t
check "--standardize" model train --csv data.csv --st
check "--warm-start" model train --w
check "" model train --epochs ""
check "data.csv" model train --csv d
check "model.st" model predict m
check "--csv" model predict model.st --
check "data.csv" model predict model.st --csv d
check "model.st" model info mo
check "" model info model.st ""
t_pass
