#!/bin/bash
# SPDX-License-Identifier: MIT
# Terminals, driven through tmux: exec -it gives a prompt on a terminal of
# the chroot's devpts, follows window-size changes, passes ctrl-c to the
# command, returns its status and restores the caller's terminal; an
# attached start of a -t chroot detaches with ctrl-p ctrl-q.
. "$(dirname "$0")/../lib.sh"
need_registry
command -v tmux >/dev/null || bail "tmux is needed (Debian package tmux)"
img=$SCATMAN_TEST_REGISTRY/test/busybox

sock=scatman-test-$$
tm() { tmux -L "$sock" "$@"; }
t_cleanup_cmds+=("tmux -L $sock kill-server")
# wait_for REGEX: until the pane shows REGEX (at most about 10 s);
# $pane holds the pane's text.
wait_for() {
	local n
	for n in $(seq 100); do
		pane=$(tm capture-pane -p -t t)
		printf '%s\n' "$pane" | grep -Eq -- "$1" && return 0
		sleep 0.1
	done
	return 1
}
# type TEXT: sends TEXT and Enter to the pane
type_line() { tm send-keys -t t "$1" Enter; }

tty_tests() {
	local who=$1 S=$2
	shift 2
	local run="$*"
	$S create --tls-verify=false --name tty "$img" sleep 1000 >/dev/null 2>&1
	$S start tty >/dev/null
	tm new-session -d -s t -x 100 -y 30 "env PS1='host\$ ' bash --norc --noprofile"
	wait_for 'host\$' || bail "no shell in tmux"
	type_line "$run exec -it tty sh"
	wait_for '^/ #'
	ok $? "$who: exec -it gives the chroot's prompt"
	type_line 'tty; stty size; echo T=$TERM'
	wait_for 'T=xterm'
	like "$pane" '^/dev/pts/[0-9]+' "$who: a terminal of the chroot's devpts"
	like "$pane" '^30 100$' "$who: the window size is passed on"
	tm resize-window -t t -x 80 -y 20
	type_line 'stty size; echo size-done'
	wait_for '^size-done'
	like "$pane" '^20 80$' "$who: a window-size change reaches the command"
	type_line 'sleep 1000'
	sleep 0.3
	tm send-keys -t t C-c
	type_line 'echo after=$?'
	wait_for '^after=130'
	ok $? "$who: ctrl-c interrupts the command inside, the shell goes on"
	type_line 'exit 3'
	wait_for 'host\$$'
	type_line 'echo rc=$?; stty -a | grep -o -- " -\?icanon" | head -1'
	wait_for 'icanon$'
	like "$pane" '^rc=3$' "$who: exec -it returns the command's status"
	like "$pane" '^ icanon$' "$who: the caller's terminal is restored"

	$S create --tls-verify=false -t -i --name tsh "$img" /bin/sh >/dev/null 2>&1
	type_line "clear; $run start -ai tsh"
	wait_for '^/ #'
	ok $? "$who: start -ai of a -t chroot gives its prompt"
	type_line 'test /dev/console -ef "$(tty)" && echo console-ok'
	wait_for '^console-ok'
	ok $? "$who: /dev/console is the chroot's terminal"
	type_line 'echo inside-$((6 * 7))'
	wait_for '^inside-42'
	ok $? "$who: input reaches the chroot"
	tm send-keys -t t C-p C-q
	wait_for 'host\$$'
	ok $? "$who: ctrl-p ctrl-q detaches"
	testcmd "$who: still running after detaching" 0 $S exec tsh true
	local d
	d=$(dirname "$(grep -l '"Name":[[:space:]]*"tsh"' "$root"/chroots/*/config.json)")
	like "$(cat "$d/log")" 'Z stdout F inside-42$' "$who: the terminal's output is logged"
	type_line "clear; $run run -it --rm --tls-verify=false $img sh"
	wait_for '^/ #'
	ok $? "$who: run -it gives a prompt"
	type_line 'exit 5'
	wait_for 'host\$$'
	type_line 'echo run-rc=$?'
	wait_for '^run-rc=[0-9]+'
	like "$pane" '^run-rc=5$' "$who: run -it returns the command's status"
	tm kill-server
	$S stop -t 1 tty tsh >/dev/null
}

root=$t_tmp/root
tty_tests root sm "$SCATMAN_BIN" --root "$t_tmp/root"
if is_root && [ -n "${SCATMAN_TEST_USER:-}" ]; then
	as_user true
	root=$t_tmp/home-$SCATMAN_TEST_USER/root
	tty_tests rootless smu setpriv --reuid="$SCATMAN_TEST_USER" \
		--regid="$SCATMAN_TEST_USER" --init-groups -- \
		"$SCATMAN_BIN" --root "$root"
fi
done_testing
