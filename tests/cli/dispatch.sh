#!/bin/bash
# SPDX-License-Identifier: MIT
# Applet selection: by link name, by first argument, "tool NAME"; help,
# --list, --install, version, sing, unknown commands and exit codes.
. "$(dirname "$0")/../lib.sh"

bin=$SCATMAN_BIN
links=$t_tmp/links
mkdir -p "$links"

testcmd "no argument prints the command list" 0 "$bin"
like "$out" '^Usage:' "help shows the usage line"
like "$out" 'scatman \[options\] \[command\]' "help shows the synopsis"
like "$out" 'Available Commands:' "help lists commands"
like "$out" 'Bundled utilities:' "help lists the bundled utilities"
like "$out" "scatman tool NAME" "help explains how to reach the utilities"
unlike "$out" '^  sing ' "hidden commands stay out of the list"

testcmd "--help" 0 "$bin" --help
help_out=$out
testcmd "help" 0 "$bin" help
is "$out" "$help_out" "help and --help agree"

for a in $("$bin" --list); do
	case $a in
	scatman-*) name=${a#scatman-}
		testcmd "scatman $name --help" 0 "$bin" "$name" --help
		like "$out" "^Usage: scatman $name" "usage of $name names it" ;;
	*)
		testcmd "scatman tool $a --help" 0 "$bin" tool "$a" --help
		like "$out" "^Usage: $a" "usage of the $a utility names it" ;;
	esac
done

testcmd "unknown command" 125 "$bin" frobnicate
like "$err" "^scatman: unknown command 'frobnicate'" "unknown command message"
like "$err" "scatman --help" "unknown command hints at --help"
is "$(printf '%s\n' "$err" | wc -l)" 1 "unknown command: one line"
testcmd "unknown global option" 125 "$bin" --frob
is "$err" "scatman: unknown option '--frob' (see 'scatman --help')" \
	"unknown global option: one line naming it"
testcmd "unknown short global option" 125 "$bin" -x
is "$err" "scatman: unknown option '-x' (see 'scatman --help')" \
	"unknown short option: one line naming it"
testcmd "unknown short option after a long one" 125 "$bin" --root "$t_tmp/r" rm --force -Zf x
is "$err" "scatman: rm: unknown option '-Z' (see 'scatman rm --help')" \
	"the unknown letter is named, not the option before it"
testcmd "global option without its argument" 125 "$bin" --root
is "$err" "scatman: option '--root' needs an argument (see 'scatman --help')" \
	"missing argument named"
testcmd "bad log level" 125 "$bin" --log-level loud version

testcmd "version" 0 "$bin" version
like "$out" '^scatman version [^ ]+$' "version line"
v=$out
testcmd "--version" 0 "$bin" --version
is "$out" "$v" "--version prints the same"

testcmd "sing" 0 "$bin" sing
is "$out" "$(cat "$TESTS_DIR/fixtures/sing.txt")" "sing prints the song exactly"

testcmd "--list" 0 "$bin" --list
like "$out" '^scatman-pull$' "--list has commands"
like "$out" '^tar$' "--list has utilities"
is "$(printf '%s\n' "$out" | grep -c '^ps$')" 1 "ps utility listed once"
is "$(printf '%s\n' "$out" | grep -c '^scatman-ps$')" 1 "ps command listed once"

# --install makes a link for every applet; the links dispatch by name.
testcmd "--install -s" 0 "$bin" --install -s "$links"
n_list=$("$bin" --list | wc -l)
is "$(find "$links" -type l | wc -l)" "$n_list" "one symlink per applet"
mkdir -p "$t_tmp/hard"
testcmd "--install hard links into a directory" 0 "$bin" --install "$t_tmp/hard"
is "$(stat -c %h "$t_tmp/hard/tar")" "$(stat -c %h "$bin")" \
	"hard links share the binary's inode"

testcmd "--install into a missing directory" 125 "$bin" --install "$t_tmp/nope/x"
is "$(printf '%s\n' "$err" | wc -l)" 1 "--install failure is one line"
testcmd "link scatman-version" 0 "$links/scatman-version"
is "$out" "$v" "scatman-version runs the version command"
testcmd "link scatman-help" 0 "$links/scatman-help"
like "$out" 'Available Commands:' "scatman-help runs help"
testcmd "link scatman-ps --help is the chroot listing" 0 "$links/scatman-ps" --help
like "$out" '^Usage: scatman ps' "scatman-ps is the command"
testcmd "link ps --help is the utility" 0 "$links/ps" --help
like "$out" '^Usage: ps' "a link named ps is the utility"
testcmd "link cp --help is the utility" 0 "$links/cp" --help
like "$out" '^Usage: cp' "a link named cp is the utility"
testcmd "link tar --help" 0 "$links/tar" --help
like "$out" '^Usage: tar' "a link named tar is the utility"
testcmd "link nsenter --help" 0 "$links/nsenter" --help
like "$out" '^Usage: nsenter' "a link named nsenter is the utility"
testcmd "scatman ps --help is the command" 0 "$bin" ps --help
like "$out" '^Usage: scatman ps' "scatman ps is the chroot listing"
testcmd "scatman tar --help reaches the utility" 0 "$bin" tar --help
like "$out" '^Usage: tar' "scatman tar is the utility"
testcmd "scatman tool ps --help" 0 "$bin" tool ps --help
like "$out" '^Usage: ps' "tool ps is the utility"
testcmd "tool with an unknown utility" 125 "$bin" tool frob
ln -s "$bin" "$links/scatman-frob"
testcmd "unknown scatman-NAME link" 125 "$links/scatman-frob"
like "$err" "unknown command 'frob'" "unknown link name is reported"

# A link takes the global options that come first.
mkdir -p "$t_tmp/linkroot"
testcmd "link scatman-ps with a leading --root" 0 "$links/scatman-ps" --root "$t_tmp/linkroot" -a
testcmd "link scatman-ps with --root=DIR" 0 "$links/scatman-ps" --root="$t_tmp/linkroot" -a
testcmd "link scatman-ps with --log-level" 0 "$links/scatman-ps" --log-level debug -a
testcmd "link with a bad log level" 125 "$links/scatman-ps" --log-level loud

# Global options come before the command and reach it.
testcmd "--root before the command" 0 "$bin" --root "$t_tmp/r" --log-level debug version
# podman's create and run take -h for --hostname, not for help.
testcmd "create -h wants a hostname" 125 "$bin" --root "$t_tmp/r" create -h
unlike "$out" '^Usage:' "create -h is not a help request"
testcmd "ps -h is help" 0 "$bin" ps -h
like "$out" '^Usage: scatman ps' "-h is help for other commands"
testcmd "help COMMAND" 0 "$bin" help pull
like "$out" '^Usage: scatman pull' "help COMMAND prints its usage"

# Man pages come from the same table and usage texts.
testcmd "man pages generated" 0 "$TESTS_DIR/../scripts/gen-man" "$t_tmp/man"
is "$(ls "$t_tmp/man" | wc -l)" "$(( $("$bin" --list | wc -l) + 1 ))" \
	"one man page per applet plus scatman(1)"
like "$(cat "$t_tmp/man/scatman-pull.1")" '^\.TH "SCATMAN-PULL" 1' \
	"a command's page has a title"
like "$(cat "$t_tmp/man/scatman-tool-tar.1")" 'Usage: tar' \
	"a utility's page holds its usage"
if command -v man >/dev/null 2>&1; then
	check "man renders a generated page" man -l "$t_tmp/man/scatman.1"
fi

done_testing
