#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# conectl's bash completion (completion/conectl), KTAP: each case completes
# a command line as bash would at the cursor (the end of the line) and
# compares the candidates.  Instance names come from a stand-in conectl
# that answers "-j nat list" with two instances, and records its netns.
dir=$(cd "$(dirname "$0")/.." && pwd)
top=$(cd "$dir/.." && pwd)
. "$("$top/scripts/linux-source")/tools/testing/selftests/kselftest/ktap_helpers.sh"
. /usr/share/bash-completion/bash_completion
. "$dir/completion/conectl"

stub=$(mktemp -d)
trap 'rm -rf "$stub"' EXIT
cat > "$stub/conectl" <<'STUB'
#!/bin/sh
printf "%s\n" "$*" > "${0%/*}/args"
[ "$*" = "-j nat list" ] || [ "$*" = "-n lab -j nat list" ] || exit 1
echo '[{"name":"wan0","dev":"eth0"},{"name":"wan1","dev":"eth1"}]'
STUB
chmod +x "$stub/conectl"
PATH=$stub:$PATH

# complete LINE: the candidates for the last word of LINE (empty when LINE
# ends in a space), sorted, on one line.
complete_line() {
	local line=$1
	read -r -a COMP_WORDS <<< "$line"
	[[ $line == *' ' ]] && COMP_WORDS+=('')
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE=$line
	COMP_POINT=${#line}
	COMPREPLY=()
	_conectl conectl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}

check() {
	local line=$1 want=$2 got
	got=$(complete_line "$line")
	if [ "$got" = "$want" ]; then
		ktap_test_pass "'$line' completes to: $want"
	else
		echo "# got: '$got'"
		ktap_test_fail "'$line' completes to: $want"
	fi
}

ktap_print_header
ktap_set_plan 12
check 'conectl ' 'apply help map monitor nat save stats version'
check 'conectl n' 'nat'
check 'conectl -j' '-j -json'
check 'conectl nat ' 'add change del delete help list show'
check 'conectl nat del ' 'wan0 wan1'
check 'conectl nat add wan2 dev lo mapping ' 'adm apdm eim'
check 'conectl nat change wan0 filtering a' 'adf apdf'
check 'conectl nat add wan2 dev lo port-p' 'port-parity'
check 'conectl nat add wan2 dev l' 'lo'
check 'conectl map flush w' 'wan0 wan1'
check 'conectl -n lab stats ' 'help wan0 wan1'
if [ "$(cat "$stub/args")" = "-n lab -j nat list" ]; then
	ktap_test_pass "instance names are read in the namespace -n names"
else
	ktap_test_fail "instance names are read in the namespace -n names"
fi
ktap_finished
