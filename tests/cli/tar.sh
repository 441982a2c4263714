#!/bin/bash
# SPDX-License-Identifier: MIT
# The tar applet against GNU tar: archives each writes, the other reads
# into the same tree; listings; compression; excludes; whiteouts only with
# --oci-whiteouts.
. "$(dirname "$0")/../lib.sh"

st() { "$SCATMAN_BIN" tar "$@"; }
# tree DIR: paths, types, modes, owners, link targets, mtimes, contents.
tree() {
	(cd "$1" && find . -mindepth 1 -printf '%p %y %m %U %G %l %T@ %n\n' |
		LC_ALL=C sort && find . -type f -print0 | LC_ALL=C sort -z |
		xargs -0r sha256sum)
}
fresh() { rm -rf "$1"; mkdir -p "$1"; }

src=$t_tmp/src
long=$(printf 'l%.0s' $(seq 120))/$(printf 'm%.0s' $(seq 120))
mkdir -p "$src/dir/sub" "$src/$long" "$src/ro" "$src/empty"
echo hello >"$src/dir/file"
printf 'x%.0s' $(seq 5000) >"$src/dir/big"
ln "$src/dir/file" "$src/dir/hard"
ln -s ../dir/file "$src/dir/sub/link"
ln -s /abs/target "$src/abslink"
mkfifo "$src/fifo"
echo long >"$src/$long/$(printf 'n%.0s' $(seq 150))"
echo s >"$src/suid" && chmod 4755 "$src/suid"
echo ro >"$src/ro/f" && chmod 444 "$src/ro/f" && chmod 555 "$src/ro"
echo wh >"$src/.wh.notspecial"
chown 1000:1000 "$src/dir/big"
find "$src" -exec touch -h -d @1700000000 {} +

# scatman writes, GNU tar reads.
st -cf "$t_tmp/s.tar" -C "$src" .
ok $? "tar -c writes an archive"
fresh "$t_tmp/g"
tar -xpf "$t_tmp/s.tar" -C "$t_tmp/g" --numeric-owner
ok $? "GNU tar extracts it"
is "$(tree "$t_tmp/g")" "$(tree "$src")" "GNU tar gets the source tree back"
is "$(st -tf "$t_tmp/s.tar")" "$(tar -tf "$t_tmp/s.tar")" \
	"tar -t lists as GNU tar does"
is "$(st -tvf "$t_tmp/s.tar")" "$(tar --numeric-owner -tvf "$t_tmp/s.tar")" \
	"tar -tv lists as GNU tar --numeric-owner does"

# GNU tar writes (gnu and posix formats, gzip), scatman reads.
for fmt in gnu posix; do
	tar --format=$fmt -czf "$t_tmp/g-$fmt.tgz" -C "$src" .
	fresh "$t_tmp/x-$fmt"
	st -xf "$t_tmp/g-$fmt.tgz" -C "$t_tmp/x-$fmt"
	ok $? "tar -x of GNU tar's $fmt-format gzip archive"
	is "$(tree "$t_tmp/x-$fmt")" "$(tree "$src")" \
		"$fmt format: the source tree back"
done
check "a .wh. name is a plain file without --oci-whiteouts" \
	test -f "$t_tmp/x-gnu/.wh.notspecial"

# Compression on create; stdin and stdout.
st -czf "$t_tmp/s.tgz" -C "$src" dir
is "$(tar -tzf "$t_tmp/s.tgz")" "$(tar -tf "$t_tmp/s.tar" | grep '^\./dir' |
	sed 's|^\./||')" "tar -cz: GNU tar lists the gzip archive"
st --zstd -cf - -C "$src" dir >"$t_tmp/s.tzst"
is "$(tar --zstd -tf "$t_tmp/s.tzst" | head -1)" "dir/" \
	"tar --zstd -cf -: a zstd archive on stdout"
fresh "$t_tmp/z"
st -xf - -C "$t_tmp/z" <"$t_tmp/s.tzst"
ok $? "tar -xf - reads zstd from stdin, detected by content"
is "$(tree "$t_tmp/z/dir")" "$(tree "$src/dir")" "the zstd round trip"

# Old-style flags and --exclude.
fresh "$t_tmp/e"
(cd "$t_tmp/e" && st xf "$t_tmp/s.tar" --exclude 'big' --exclude './ro')
ok $? "old-style 'xf' flags"
check "--exclude leaves out a matching name" test ! -e "$t_tmp/e/dir/big"
check "--exclude leaves out a directory" test ! -e "$t_tmp/e/ro"
check "the rest is there" test -f "$t_tmp/e/dir/file"

# Without root: owners are the user's, the umask applies, as GNU tar.
if is_root; then
	chmod 755 "$t_tmp"
	cp "$t_tmp/s.tar" "$t_tmp/pub.tar" && chmod 644 "$t_tmp/pub.tar"
	for who in g s; do
		as_user mkdir -p "$t_tmp/home-$SCATMAN_TEST_USER/$who"
	done
	as_user tar -xf "$t_tmp/pub.tar" -C "$t_tmp/home-$SCATMAN_TEST_USER/g"
	as_user "$SCATMAN_BIN" tar -xf "$t_tmp/pub.tar" \
		-C "$t_tmp/home-$SCATMAN_TEST_USER/s"
	ok $? "tar -x as an unprivileged user"
	is "$(tree "$t_tmp/home-$SCATMAN_TEST_USER/s")" \
		"$(tree "$t_tmp/home-$SCATMAN_TEST_USER/g")" \
		"unprivileged: the same tree as GNU tar's"
fi

# Leading "/" and "../" are dropped from member names, as GNU tar does.
is "$(cd "$src/dir" && st -cf - ../dir/file "$src/dir/sub" 2>/dev/null |
	tar -tf - | head -2)" "dir/file
${src#/}/dir/sub/" "tar -c drops leading ../ and / from names"

# PAX xattrs (SCHILY.xattr.*) on files and directories.
python3 - "$t_tmp/xattr.tar" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], 'w', format=tarfile.PAX_FORMAT) as t:
    for name, kind in (('d', tarfile.DIRTYPE), ('f', tarfile.REGTYPE)):
        ti = tarfile.TarInfo(name)
        ti.type = kind
        ti.pax_headers = {'SCHILY.xattr.user.k': 'v-' + name}
        t.addfile(ti, io.BytesIO(b'') if kind == tarfile.REGTYPE else None)
PY
fresh "$t_tmp/xa"
st -xf "$t_tmp/xattr.tar" -C "$t_tmp/xa"
is "$(python3 -c 'import os, sys
print(*(os.getxattr(sys.argv[1] + "/" + n, "user.k").decode() for n in "df"))' \
	"$t_tmp/xa")" "v-d v-f" "PAX xattrs set on a directory and a file"

testcmd "no mode is a usage error (status 2)" 2 st -f x
testcmd "two modes is a usage error" 2 st -c -x -f x
testcmd "a missing archive fails with 2" 2 st -xf "$t_tmp/nope.tar"
testcmd "an unknown option is a usage error" 2 st --bogus -cf x
is "$err" "tar: unknown option '--bogus' (see 'tar --help')" \
	"one line naming the option"
testcmd "-f without its argument" 2 st -c -f
is "$err" "tar: option '-f' needs an argument (see 'tar --help')" \
	"one line naming the option that needs an argument"
fresh "$t_tmp/perm"
echo hi >"$t_tmp/perm/keep"
echo no >"$t_tmp/perm/skip"
testcmd "options after the operands, as GNU tar" 0 \
	st -cf "$t_tmp/perm.tar" -C "$t_tmp/perm" . --exclude ./skip
is "$(tar -tf "$t_tmp/perm.tar" | sort | tr '\n' ' ')" "./ ./keep " \
	"--exclude after the operands applies"
done_testing
