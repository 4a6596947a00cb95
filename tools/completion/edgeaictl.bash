# SPDX-License-Identifier: GPL-2.0
# bash completion for edgeaictl(8): objects, commands, options, ring names
# (edgeaictl -j ring list), network devices (bpf attach/detach) and sensor
# ids (edgeaictl -j bpf sensor list). Installed into
# /usr/share/bash-completion/completions/edgeaictl.
# shellcheck disable=SC2207,SC2086 # word lists are split on purpose

# Print the values of KEY in the JSON array ARRAY (a.b: nested) of
# "edgeaictl -j ARGS".
_edgeaictl_json()
{
	local array=$1 key=$2 cmd=${_edgeaictl_cmd:-edgeaictl}
	shift 2
	"$cmd" -j "$@" 2>/dev/null | command python3 -c '
import json, sys
try:
    o = json.load(sys.stdin)
    for k in sys.argv[1].split("."):
        o = o.get(k, {})
    for x in o or []:
        print(x[sys.argv[2]])
except Exception:
    pass' "$array" "$key" 2>/dev/null
}

_edgeaictl_netdevs()
{
	local d
	for d in /sys/class/net/*; do
		[ -e "$d" ] && printf '%s\n' "${d##*/}"
	done
}

# The full name of an object or command WORD abbreviates among CHOICES.
_edgeaictl_expand()
{
	local word=$1 c match=
	shift
	for c in "$@"; do
		[ "$c" = "$word" ] && { echo "$c"; return; }
		if [ "${c#"$word"}" != "$c" ]; then
			[ -n "$match" ] && return	# ambiguous
			match=$c
		fi
	done
	echo "$match"
}

# The header's columns of the file after --csv on the command line.
_edgeaictl_csv_columns()
{
	local i f=
	for ((i = 1; i < cword; i++)); do
		[ "${words[i]}" = --csv ] && f=${words[i+1]}
	done
	[ -r "$f" ] && head -n 1 -- "$f" | tr -d '\r"' | tr ',' '\n' |
		sed 's/^[[:space:]]*//; s/[[:space:]]*$//'
}

# model train: option values (columns from the --csv file, for --features
# the item after the last comma), else the options.
_edgeaictl_model_train()
{
	local opts="--csv --features --target --model --hidden --activation
		--task --standardize --optimizer --lr --momentum --beta1 --beta2
		--epochs --batch --l2 --seed --no-shuffle --val --patience
		--warm-start --name --version --output --quiet --help"
	local done=${cur%"${cur##*,}"}

	case $prev in
	--csv|--warm-start|-o|--output) COMPREPLY=($(compgen -f -- "$cur")) ;;
	--model) COMPREPLY=($(compgen -W "linear logistic softmax mlp" -- "$cur")) ;;
	--optimizer) COMPREPLY=($(compgen -W "sgd adam" -- "$cur")) ;;
	--activation) COMPREPLY=($(compgen -W "relu tanh sigmoid identity" -- "$cur")) ;;
	--task) COMPREPLY=($(compgen -W "regression classification" -- "$cur")) ;;
	--target) COMPREPLY=($(compgen -W "$(_edgeaictl_csv_columns)" -- "$cur")) ;;
	--features)
		COMPREPLY=($(compgen -P "$done" -W "$(_edgeaictl_csv_columns)" -- "${cur##*,}"))
		compopt -o nospace 2>/dev/null ;;
	--hidden|--lr|--momentum|--beta1|--beta2|--epochs|--batch|--l2|--seed|--val|--patience|--name|--version) ;;
	*) COMPREPLY=($(compgen -W "$opts" -- "$cur")) ;;
	esac
}

_edgeaictl()
{
	local cur prev words cword
	local objects="bpf help model monitor pipeline ring stats top version"
	local gopts="-j -p -V -h --json --pretty --version --help"
	local i obj="" cmd="" sub="" nargs=0 _edgeaictl_cmd

	if declare -F _init_completion >/dev/null; then
		_init_completion || return
	else
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD-1]}
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
	fi
	_edgeaictl_cmd=${words[0]}

	# Skip the global options, find the object and its command.
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		-*) [ -z "$obj" ] && continue ;;
		esac
		if [ -z "$obj" ]; then
			obj=$(_edgeaictl_expand "${words[i]}" $objects)
			[ -z "$obj" ] && return
		elif [ -z "$cmd" ]; then
			cmd=${words[i]}
		elif [ -z "$sub" ]; then
			sub=${words[i]}
		else
			nargs=$((nargs + 1))
		fi
	done

	if [ -z "$obj" ]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$gopts" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$objects" -- "$cur"))
		fi
		return
	fi

	case $obj in
	ring)
		local rcmds="list show create delete help"
		if [ -z "$cmd" ]; then
			COMPREPLY=($(compgen -W "$rcmds" -- "$cur"))
			return
		fi
		cmd=$(_edgeaictl_expand "$cmd" $rcmds)
		case $cmd in
		show|delete)
			[ -n "$sub" ] && [ "$sub" != id ] && [ "$sub" != name ] && return
			[ -n "$sub" ] && [ "$nargs" -gt 0 ] && return
			if [ "$prev" = id ]; then
				COMPREPLY=($(compgen -W "$(_edgeaictl_json rings id ring list)" -- "$cur"))
			elif [ "$prev" = name ] || [ -z "$sub" ]; then
				COMPREPLY=($(compgen -W "$(_edgeaictl_json rings name ring list) $([ -z "$sub" ] && echo id name)" -- "$cur"))
			fi ;;
		create)
			[ -z "$sub" ] && return		# NAME: a new one
			case $prev in
			dtype) COMPREPLY=($(compgen -W "u8 i8 u16 i16 u32 i32 f16 f32 f64" -- "$cur")) ;;
			slots|shape|size) ;;
			*) COMPREPLY=($(compgen -W "slots dtype shape size overwrite user-producer user-head" -- "$cur")) ;;
			esac ;;
		esac ;;
	bpf)
		local bcmds="show attach detach sensor stats help"
		if [ -z "$cmd" ]; then
			COMPREPLY=($(compgen -W "$bcmds" -- "$cur"))
			return
		fi
		cmd=$(_edgeaictl_expand "$cmd" $bcmds)
		case $cmd in
		attach)
			case $prev in
			--mode) COMPREPLY=($(compgen -W "native generic" -- "$cur")) ;;
			--port) ;;
			*)
				if [ -z "$sub" ]; then
					COMPREPLY=($(compgen -W "$(_edgeaictl_netdevs)" -- "$cur"))
				else
					COMPREPLY=($(compgen -W "xdp tc --mode --port --dry-run" -- "$cur"))
				fi ;;
			esac ;;
		detach)
			if [ -z "$sub" ]; then
				COMPREPLY=($(compgen -W "$(_edgeaictl_netdevs) --all" -- "$cur"))
			else
				COMPREPLY=($(compgen -W "--keep-maps" -- "$cur"))
			fi ;;
		sensor)
			local scmds="list add delete help"
			if [ -z "$sub" ]; then
				COMPREPLY=($(compgen -W "$scmds" -- "$cur"))
				return
			fi
			sub=$(_edgeaictl_expand "$sub" $scmds del)
			case $sub in
			delete|del)
				[ "$nargs" -eq 0 ] &&
					COMPREPLY=($(compgen -W "$(_edgeaictl_json sensors id bpf sensor list)" -- "$cur")) ;;
			add)
				case $prev in
				--class|--priority|--pipeline|--rate|--burst) ;;
				*) [ "$nargs" -gt 0 ] &&
					COMPREPLY=($(compgen -W "--class --priority --pipeline --rate --burst" -- "$cur")) ;;
				esac ;;
			esac ;;
		esac ;;
	stats)
		case $prev in
		--runtime-stats) COMPREPLY=($(compgen -f -- "$cur")) ;;
		*)
			if [ -z "$cmd" ] && [[ $cur != -* ]]; then
				COMPREPLY=($(compgen -W "help --prometheus --runtime-stats" -- "$cur"))
			else
				COMPREPLY=($(compgen -W "--prometheus --runtime-stats" -- "$cur"))
			fi ;;
		esac ;;
	top)
		case $prev in
		--runtime-stats) COMPREPLY=($(compgen -f -- "$cur")) ;;
		-n|-d|--iterations|--delay) ;;
		*)
			if [ -z "$cmd" ] && [[ $cur != -* ]]; then
				COMPREPLY=($(compgen -W "help -n -d --runtime-stats" -- "$cur"))
			else
				COMPREPLY=($(compgen -W "-n -d --iterations --delay --runtime-stats" -- "$cur"))
			fi ;;
		esac ;;
	pipeline)
		local pcmds="list show reload help"
		if [ -z "$cmd" ]; then
			COMPREPLY=($(compgen -W "$pcmds" -- "$cur"))
			return
		fi
		cmd=$(_edgeaictl_expand "$cmd" $pcmds)
		case $cmd in
		show)
			[ -z "$sub" ] &&
				COMPREPLY=($(compgen -W "$(_edgeaictl_json runtime.pipelines name pipeline list)" -- "$cur")) ;;
		reload)
			if [ "$prev" = --socket ]; then
				COMPREPLY=($(compgen -f -- "$cur"))
			elif [ "$prev" = --at-sample ]; then
				COMPREPLY=()	# a sample count
			elif [[ $cur == -* ]]; then
				COMPREPLY=($(compgen -W "--at-sample --socket" -- "$cur"))
			elif [ -z "$sub" ]; then
				COMPREPLY=($(compgen -W "$(_edgeaictl_json runtime.pipelines name pipeline list)" -- "$cur"))
			elif [ "$nargs" -eq 0 ]; then
				COMPREPLY=($(compgen -f -- "$cur"))
			fi ;;
		esac ;;
	model)
		local mcmds="train predict info convert help"
		if [ -z "$cmd" ]; then
			COMPREPLY=($(compgen -W "$mcmds" -- "$cur"))
			return
		fi
		cmd=$(_edgeaictl_expand "$cmd" $mcmds)
		case $cmd in
		train) _edgeaictl_model_train ;;
		predict)
			if [ "$prev" = --csv ] || [ -z "$sub" ]; then
				COMPREPLY=($(compgen -f -- "$cur"))
			elif [ "$nargs" -eq 0 ] && [[ $cur == -* ]]; then
				COMPREPLY=($(compgen -W "--csv" -- "$cur"))
			fi ;;
		info)
			[ -z "$sub" ] && COMPREPLY=($(compgen -f -- "$cur")) ;;
		convert)
			case $prev in
			-o|--name|--version|--features|--outputs) [ "$prev" = -o ] && COMPREPLY=($(compgen -f -- "$cur")) ;;
			*)
				if [[ $cur == -* ]]; then
					COMPREPLY=($(compgen -W "-o --name --version --features --outputs -v" -- "$cur"))
				else
					COMPREPLY=($(compgen -f -X '!*.onnx' -- "$cur") $(compgen -d -- "$cur"))
				fi ;;
			esac ;;
		esac ;;
	monitor|version)
		[ -z "$cmd" ] && [ "$obj" = monitor ] &&
			COMPREPLY=($(compgen -W "help" -- "$cur")) ;;
	esac
}
complete -F _edgeaictl edgeaictl
