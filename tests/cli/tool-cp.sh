#!/bin/bash
# SPDX-License-Identifier: MIT
# The bundled cp utility against coreutils cp on a tree with symlinks,
# hard links, modes, times and special files.
. "$(dirname "$0")/../lib.sh"

tcp() { "$SCATMAN_BIN" tool cp "$@"; }
w=$t_tmp/w
mkdir -p "$w"
cd "$w" || bail "no work dir"

# the source tree
mkdir -p src/sub/deeper src/empty src/ro
echo one >src/a
echo two >src/sub/b
printf 'three' >src/sub/deeper/c
chmod 0640 src/a
chmod 0755 src/sub/b
chmod 4755 src/sub/deeper/c
ln src/a src/sub/hard
ln -s a src/rel
ln -s /etc/hostname src/abs
ln -s nowhere src/dangling
ln -s sub src/dirlink
mkfifo src/fifo
if is_root; then
	mknod src/null c 1 3
	chown 1234:2345 src/sub/b
fi
echo x >src/ro/f
chmod 0555 src/ro
touch -h -d '2001-02-03 04:05:06' src/rel
find src -depth -exec touch -h -d '2002-03-04 05:06:07.123456789' {} +
umask 022

# tree_meta DIR: tree_hash plus the modification times
tree_meta() {
	echo "$(tree_hash "$1")"
	(cd "$1" && find . -printf '%p %T@ %n\n' | sort)
}

cmp_copy() {
	local desc=$1
	shift
	rm -rf ref got
	cp "$@" src ref 2>ref.err
	local rs=$?
	tcp "$@" src got 2>got.err
	is "$?" "$rs" "$desc: same status"
	is "$(tree_hash got)" "$(tree_hash ref)" "$desc: same tree, modes, owners"
}
cmp_copy "-a" -a
is "$(tree_meta got)" "$(tree_meta ref)" "-a: same times and link counts"
is "$(stat -c %h got/a)" 2 "-a keeps hard links"
cmp_copy "-r" -r
cmp_copy "-R -L" -R -L
cmp_copy "-rp" -rp
is "$(tree_meta got | tail -n +2)" "$(tree_meta ref | tail -n +2)" "-rp: same times"
cmp_copy "-r -H" -r -H

# files
rm -rf ref got; mkdir ref got
cp src/rel ref/; tcp src/rel got/
is "$(tree_hash got)" "$(tree_hash ref)" "a symlink operand is followed without -r"
cp -P src/rel ref/p; tcp -P src/rel got/p
is "$(tree_hash got)" "$(tree_hash ref)" "-P copies the link"
cp src/a src/sub/b ref/; tcp src/a src/sub/b got/
is "$(tree_hash got)" "$(tree_hash ref)" "several files into a directory"
cp -t ref src/sub/deeper/c; tcp -t got src/sub/deeper/c
is "$(tree_hash got)" "$(tree_hash ref)" "-t DIR"
echo keep >ref/a; echo keep >got/a
cp -n src/a ref/a; tcp -n src/a got/a
is "$(cat got/a)" keep "-n keeps the file"
cp src/a ref/a; tcp src/a got/a
is "$(cat got/a)" one "overwrites by default"
is "$(stat -c %a got/a)" "$(stat -c %a ref/a)" "an overwritten file keeps its mode"
is "$(cd got && tcp -v ../src/a x; true)" "$(cd ref && cp -v ../src/a x)" "-v output"

# errors, as coreutils
testcmd "a directory without -r" 1 tcp src nodir
is "$(cp src nodir 2>&1; echo $?)" "$(tcp src nodir 2>&1 | sed 's/^scatman: //'; echo 1)" \
	"same message and status" 
like "$err" "omitting directory 'src'" "says so"
testcmd "into itself" 1 tcp -r src src/sub/
like "$err" "cannot copy a directory, 'src', into itself" "refused"
ok "$([ ! -e src/sub/src ]; echo $?)" "nothing copied"
testcmd "missing source" 1 tcp nothere got/
like "$err" "cannot stat 'nothere'" "names it"
testcmd "several into a file" 1 tcp src/a src/sub/b got/a
like "$err" "is not a directory" "refused"
testcmd "no operands" 1 tcp
testcmd "an unknown option" 1 tcp --bogus src got/
is "$err" "cp: unknown option '--bogus' (see 'cp --help')" \
	"one line naming the option"
testcmd "-t without its argument" 1 tcp src -t
is "$err" "cp: option '-t' needs an argument (see 'cp --help')" \
	"one line naming the option that needs an argument"
rm -rf perm permref && mkdir perm permref
testcmd "options after the operands, as GNU cp" 0 tcp src perm/ -r
cp src permref/ -r
is "$(tree_hash perm)" "$(tree_hash permref)" \
	"-r after the operands applies, as coreutils"
testcmd "a directory over a file" 1 tcp -r src got/a

# symlinks back to ancestors: with -L the copy would never end (each link
# doubles the tree); both refuse the cyclic links, copy the rest, fail
rm -rf cyc cycgot cycref && mkdir -p cyc/a/b
echo f >cyc/a/b/f
ln -s .. cyc/a/b/up1
ln -s ../.. cyc/a/b/up2
ln -s ../../a cyc/a/b/loop
ln -s b cyc/a/sib
cp -rL cyc cycref 2>cycref.err
peer_rc=$?
# (a guard: without cycle detection this never ends and fills the disk)
testcmd "-rL over symlink cycles ends" "$peer_rc" \
	timeout 120 "$SCATMAN_BIN" tool cp -rL cyc cycgot
is "$rc" 1 "and fails, as coreutils"
is "$(sort <<<"$err")" "$(sort cycref.err)" \
	"the same cyclic-link warnings as coreutils"
like "$err" "cannot copy cyclic symbolic link 'cyc/a/b/up1'" "names the link"
is "$(tree_hash cycgot)" "$(tree_hash cycref)" \
	"the rest copied as coreutils does (a sibling link followed)"
ok "$([ -f cycgot/a/sib/f ]; echo $?)" "a non-cyclic directory link is followed"
done_testing
