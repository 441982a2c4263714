#!/bin/bash
# SPDX-License-Identifier: MIT
# exec into running chroots, as root and as an unprivileged user: output
# and exit codes, -u/-w/-e/--env-file, hostname, the init and reaping,
# /proc and /dev, volumes, host files, containment of the host's tree.
. "$(dirname "$0")/../lib.sh"
need_registry
img=$SCATMAN_TEST_REGISTRY/test/busybox

vol=$t_tmp/vol
mkdir -p "$vol/rw" "$vol/ro"
echo "from the host" >"$vol/rw/file"
echo "read only" >"$vol/ro/file"
chmod -R a+rwX "$vol"
marker=scatman-host-marker-$$
touch "$t_tmp/$marker"
printf 'FROM_FILE=yes\n# a comment\n\n   \nSPACED=a b\r\n' >"$t_tmp/envfile"
chmod 644 "$t_tmp/envfile"
printf 'A=1\nB=x\0y\nD=ok\n' >"$t_tmp/envfile-nul"
chmod 644 "$t_tmp/envfile-nul"

exec_tests() {
	local S=$1 who=$2
	testcmd "$who: create" 0 $S create --tls-verify=false --name ex \
		-v "$vol/rw:/mnt/rw" -v "$vol/ro:/mnt/ro:ro" -e FROM_CREATE=1 \
		"$img" sleep 1000
	testcmd "$who: start" 0 $S start ex
	is "$out" "ex" "$who: start prints the name"

	testcmd "$who: exec echo" 0 $S exec ex echo hello
	is "$out" "hello" "$who: exec output"
	testcmd "$who: exec exit 7" 7 $S exec ex sh -c 'exit 7'
	testcmd "$who: exec of a file that is not executable" 126 \
		$S exec ex /etc/passwd
	like "$err" "cannot run '/etc/passwd'" "$who: 126 says why"
	testcmd "$who: exec of a missing command" 127 $S exec ex nonexistent-cmd
	like "$err" "nonexistent-cmd.*not found" "$who: 127 says why"
	testcmd "$who: exec into a missing chroot" 125 $S exec nosuch true

	testcmd "$who: id of root" 0 $S exec ex id -u
	is "$out" "0" "$who: default user is root inside"
	testcmd "$who: -u tester" 0 $S exec -u tester ex sh -c \
		'echo $(id -u) $(id -g) $HOME; id -G'
	like "$out" "^1000 1000 /home/tester" "$who: -u resolves in the chroot's passwd"
	like "$out" "(^| )1000 .*10( |$)" "$who: the primary group is in the list, as initgroups puts it"
	like "$out" "(^| )10( |$)" "$who: supplementary group wheel"
	like "$out" "(^| )29( |$)" "$who: supplementary group audio"
	testcmd "$who: -u 4242" 0 $S exec -u 4242 ex sh -c 'echo $(id -u) $(id -g)'
	is "$out" "4242 0" "$who: a numeric user with no entry works"
	testcmd "$who: -u tester:audio" 0 $S exec -u tester:audio ex id -g
	is "$out" "29" "$who: group by name"
	testcmd "$who: -u unknown" 125 $S exec -u nosuchuser ex true
	like "$err" "unable to find user nosuchuser" "$who: unknown user message"

	testcmd "$who: -w" 0 $S exec -w /tmp ex pwd
	is "$out" "/tmp" "$who: -w sets the working directory"
	testcmd "$who: -e and create's env" 0 $S exec -e FOO=bar ex sh -c \
		'echo $FOO $FROM_CREATE'
	is "$out" "bar 1" "$who: -e and the chroot's environment"
	testcmd "$who: -e twice" 0 $S exec -e FOO=1 -e FOO=2 ex sh -c 'env | grep -c ^FOO=; echo $FOO'
	is "$out" "$(printf '1\n2')" "$who: the later -e wins, once"
	testcmd "$who: --env-file" 0 $S exec --env-file "$t_tmp/envfile" ex \
		sh -c 'echo "$FROM_FILE/$SPACED"'
	is "$out" "yes/a b" "$who: --env-file lines"
	testcmd "$who: --preserve-fds past 32 bits" 125 $S exec \
		--preserve-fds 4294967297 ex true
	like "$err" "invalid --preserve-fds" "$who: a wrapping count is refused"
	testcmd "$who: --preserve-fds junk" 125 $S exec --preserve-fds junk ex true
	testcmd "$who: --env-file with a NUL byte" 125 $S exec \
		--env-file "$t_tmp/envfile-nul" ex true
	like "$err" "NUL byte" "$who: a NUL byte is refused, not a silent cut"

	testcmd "$who: hostname" 0 $S exec ex hostname
	is "$out" "ex" "$who: the hostname is the chroot's name"
	testcmd "$who: /etc/hostname" 0 $S exec ex cat /etc/hostname
	is "$out" "ex" "$who: /etc/hostname is provided"
	testcmd "$who: containerenv" 0 $S exec ex cat /run/.containerenv
	like "$out" 'name="ex"' "$who: /run/.containerenv names the chroot"
	if [ -r /etc/resolv.conf ]; then
		testcmd "$who: resolv.conf" 0 $S exec ex cat /etc/resolv.conf
		is "$out" "$(cat /etc/resolv.conf)" "$who: the host's resolv.conf"
		testcmd "$who: resolv.conf is read-only" 1 $S exec ex sh -c \
			'echo x >>/etc/resolv.conf'
	fi

	testcmd "$who: pid 1" 0 $S exec ex cat /proc/1/comm
	is "$out" "scatman-init" "$who: pid 1 is the init"
	# Root without a user namespace is the host's root anyway.
	if [ "$who" = rootless ]; then
		testcmd "$who: init's exe is out of reach" 1 $S exec ex \
			sh -c 'cat /proc/1/exe >/dev/null'
	fi
	testcmd "$who: init's command line" 0 $S exec ex sh -c 'tr "\0" " " </proc/1/cmdline'
	like "$out" "^scatman-init" "$who: init's command line is its name"
	unlike "$out" "$t_tmp|$(basename "$SCATMAN_BIN")/|--root" \
		"$who: no host path in init's command line"
	testcmd "$who: main process is pid 2" 0 $S exec ex cat /proc/2/comm
	is "$out" "sleep" "$who: the main process runs under the init"
	testcmd "$who: only 0-2 are open" 0 $S exec ex ls /proc/self/fd
	is "$(echo $out)" "0 1 2 3" "$who: no descriptor leaks into the chroot"

	testcmd "$who: --preserve-fds" 0 $S exec --preserve-fds 1 ex \
		sh -c 'cat <&3' 3<<<"fd three"
	is "$out" "fd three" "$who: --preserve-fds passes descriptor 3"
	testcmd "$who: without --preserve-fds" 0 $S exec ex \
		sh -c 'cat <&3 2>/dev/null || echo closed' 3<<<"fd three"
	is "$out" "closed" "$who: descriptor 3 stays outside by default"

	testcmd "$who: orphan" 0 $S exec ex sh -c '(sleep 0.2 &); true'
	local n zombies=x
	for n in $(seq 50); do
		zombies=$($S exec ex sh -c 'cat /proc/[0-9]*/stat' |
			awk '$2 == "(sleep)" && $3 != "S" || $3 == "Z"')
		others=$($S exec ex sh -c 'cat /proc/[0-9]*/stat' |
			awk '$2 == "(sleep)"' | wc -l)
		[ "$others" -le 1 ] && [ -z "$zombies" ] && break
		sleep 0.1
	done
	is "$zombies" "" "$who: the orphan was reaped, no zombie remains"
	is "$others" "1" "$who: only the main sleep remains"

	testcmd "$who: /dev/null" 0 $S exec ex sh -c 'echo x >/dev/null && head -c 4 /dev/zero | wc -c'
	is "$out" "4" "$who: /dev/null and /dev/zero usable"
	testcmd "$who: /dev/pts" 0 $S exec ex sh -c 'test -c /dev/pts/ptmx && test -L /dev/ptmx'
	testcmd "$who: /proc" 0 $S exec ex sh -c 'test -r /proc/self/status'
	testcmd "$who: /sys is read-only" 1 $S exec ex sh -c 'mkdir /sys/x 2>/dev/null'

	testcmd "$who: volume" 0 $S exec ex cat /mnt/rw/file
	is "$out" "from the host" "$who: a volume is visible"
	testcmd "$who: write to a volume" 0 $S exec ex sh -c "echo new >/mnt/rw/$who"
	is "$(cat "$vol/rw/$who" 2>/dev/null)" "new" "$who: written through the volume"
	testcmd "$who: ro volume readable" 0 $S exec ex cat /mnt/ro/file
	testcmd "$who: ro volume refuses writes" 1 $S exec ex sh -c 'echo x >/mnt/ro/x'
	is "$(ls "$vol/ro")" "file" "$who: nothing written to the ro volume"

	testcmd "$who: the host's tree is not reachable" 0 $S exec ex sh -c \
		"find / -path /proc -prune -o -path /sys -prune -o -name $marker -print; ls /proc/1/root/ 2>/dev/null | grep -c $marker; true"
	is "$out" "0" "$who: no path to a host-only file"

	testcmd "$who: exec -d" 0 $S exec -d ex sh -c 'echo detached >/tmp/d'
	for n in $(seq 50); do
		out=$($S exec ex cat /tmp/d 2>/dev/null) && [ -n "$out" ] && break
		sleep 0.1
	done
	is "$out" "detached" "$who: exec -d ran the command"
	testcmd "$who: exec -i passes stdin" 0 $S exec -i ex cat <<<"piped"
	is "$out" "piped" "$who: stdin with -i"
	testcmd "$who: exec without -i reads nothing" 0 $S exec ex cat <<<"piped"
	is "$out" "" "$who: no stdin without -i"
	testcmd "$who: exec runs in a session of its own" 0 $S exec ex \
		sh -c 'cat /proc/self/stat'
	set -- $out
	is "$6" "$1" "$who: the command leads its own session (no TIOCSTI)"

	testcmd "$who: stop" 0 $S stop -t 2 ex
	testcmd "$who: exec into a stopped chroot" 125 $S exec ex true
	like "$err" "not running" "$who: not running message"
}

# A FIFO planted at a volume's destination is refused, not opened (which
# would block the start for good).
echo data >"$t_tmp/volfile"
testcmd "create with a file volume" 0 sm create --tls-verify=false \
	--name fifo -v "$t_tmp/volfile:/fifo:ro" "$img" cat /fifo
rootfs=$(sm inspect --format '{{.Rootfs}}' fifo)
mkfifo "$rootfs/fifo"
testcmd "start with a FIFO at the volume destination" 125 \
	timeout 60 "$SCATMAN_BIN" --root "$t_tmp/root" start -a fifo
like "$err" "'/fifo' is not a regular file" "the FIFO is named"
rm "$rootfs/fifo"
testcmd "start once the FIFO is gone" 0 sm start -a fifo
is "$out" "data" "the volume is mounted on a regular file"

exec_tests sm root
if is_root && [ -n "${SCATMAN_TEST_USER:-}" ]; then
	exec_tests smu rootless
fi
done_testing
