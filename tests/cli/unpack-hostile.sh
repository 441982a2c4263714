#!/bin/bash
# SPDX-License-Identifier: MIT
# Hostile layers: names with "..", absolute names, symlinks planted to
# redirect later entries (in one layer and across layers), hard links to
# host files, bad whiteouts, corrupt and truncated streams, a bad header
# checksum, a decompression bomb. Each gives an error or a result confined
# to the target directory, and a sentinel tree next to it never changes.
. "$(dirname "$0")/../lib.sh"

box=$t_tmp/box
sentinel=$box/sentinel
mkdir -p "$sentinel/dir" "$box/root"
echo precious >"$sentinel/file"
echo host >"$sentinel/dir/host"
before=$(tree_hash "$sentinel")
host_links=$(stat -c %h "$sentinel/file")

# mk NAME PYTHON: writes $box/NAME.tar with entries made by the body,
# which uses add(name, kind, data, link) on tarfile t.
mk() {
	python3 - "$box/$1.tar" "$sentinel" <<PY
import io, sys, tarfile
sentinel = sys.argv[2]
def add(name, kind='f', data=b'x\n', link=''):
    ti = tarfile.TarInfo(name)
    ti.mode = 0o755 if kind == 'd' else 0o644
    ti.type = {'f': tarfile.REGTYPE, 'd': tarfile.DIRTYPE,
               'l': tarfile.SYMTYPE, 'h': tarfile.LNKTYPE}[kind]
    ti.linkname = link
    ti.size = len(data) if kind == 'f' else 0
    t.addfile(ti, io.BytesIO(data) if kind == 'f' else None)
with tarfile.open(sys.argv[1], 'w', format=tarfile.PAX_FORMAT) as t:
$(printf '%s\n' "$2" | sed 's/^/    /')
PY
}

# x NAME: extracts $box/NAME.tar into a fresh root with OCI whiteouts.
x() {
	rm -rf "$box/root"
	mkdir "$box/root"
	out=$("$SCATMAN_BIN" tar --oci-whiteouts -xf "$box/$1.tar" \
		-C "$box/root" 2>&1)
	rc=$?
}

unchanged() {
	is "$(tree_hash "$sentinel")" "$before" "$1: the sentinel is unchanged"
}

mk dotdot "add('../escape')
add('a/../../escape2')
add('fine')"
x dotdot
is "$rc" 2 "names with '..' are skipped with a failing status"
like "$out" "contains '\.\.'" "and a message naming the reason"
check "no file lands next to the root" test ! -e "$box/escape"
check "the other entries are extracted" test -f "$box/root/fine"
unchanged "dotdot"

mk absolute "add('/abs-escape')
add('//etc//x')"
x absolute
is "$rc" 0 "absolute names are extracted"
check "an absolute name lands inside the root" test -f "$box/root/abs-escape"
check "a doubled slash name too" test -f "$box/root/etc/x"
unchanged "absolute"

mk symlink-root "add('s', 'l', link='/')
add('s/file', data=b'through a symlink\n')
add('up', 'l', link='../../../../../../../..' + sentinel)
add('up/pwned', data=b'pwned\n')
add('rel', 'l', link='../sentinel')
add('rel/pwned2')"
x symlink-root
is "$rc" 0 "symlinks to / and .. followed by entries through them"
check "an entry through a symlink to / stays in the root" \
	test -f "$box/root/file"
check "one through a ../ chain lands under the root" \
	test -f "$box/root$sentinel/pwned"
unchanged "symlink-root"

mk layer1 "add('planted', 'l', link=sentinel)
add('planted-rel', 'l', link='../sentinel/dir')"
mk layer2 "add('planted/pwned')
add('planted-rel/host', data=b'overwritten\n')
add('planted-rel/.wh.host')"
rm -rf "$box/root"
mkdir "$box/root"
"$SCATMAN_BIN" tar --oci-whiteouts -xf "$box/layer1.tar" -C "$box/root" &&
	"$SCATMAN_BIN" tar --oci-whiteouts -xf "$box/layer2.tar" -C "$box/root"
ok $? "a symlink planted by one layer and used by the next"
check "the later entry is confined" test -f "$box/root$sentinel/pwned"
unchanged "across layers"

mk hardlink "add('h1', 'h', link='/etc/passwd')"
x hardlink
is "$rc" 2 "a hard link to a host file fails"
check "nothing linked" test ! -e "$box/root/h1"
mk hardlink2 "add('p', 'l', link='/')
add('h2', 'h', link='p/../../sentinel/file')
add('h3', 'h', link='../sentinel/file')"
x hardlink2
is "$rc" 2 "hard links through symlinks and .. to a host file fail"
is "$(stat -c %h "$sentinel/file")" "$host_links" "the host file gained no link"
unchanged "hardlink"

mk wh-dots "add('.wh...')"
x wh-dots
is "$rc" 2 "a whiteout named '.wh...' is refused"
like "$out" "whiteout" "the message names the whiteout"
mk wh-dot "add('.wh..')"
x wh-dot
is "$rc" 2 "a whiteout named '.wh..' is refused"
mk wh-through "add('w', 'l', link='../../../../../../..' + sentinel)
add('w/.wh.file')
add('w/.wh.dir')"
x wh-through
is "$rc" 0 "whiteouts through a symlink are confined"
unchanged "whiteouts"

mk parent-name "add('../root/x')
add('../box/y')"
x parent-name
check "entries named like the root's parent are not written" \
	test ! -e "$box/box/y" -a ! -e "$box/y"
unchanged "parent-name"

# Broken streams.
mk good "add('a', data=b'data' * 50000)
add('b')"
gzip -c "$box/good.tar" >"$box/good.tar.gz"
zstd -q -c "$box/good.tar" >"$box/good.tar.zst"
head -c $(($(stat -c %s "$box/good.tar.gz") / 2)) "$box/good.tar.gz" \
	>"$box/trunc-gz.tar"
head -c $(($(stat -c %s "$box/good.tar.zst") / 2)) "$box/good.tar.zst" \
	>"$box/trunc-zst.tar"
x trunc-gz
is "$rc" 2 "a truncated gzip stream fails"
like "$out" "truncated gzip" "the message says truncated gzip"
x trunc-zst
is "$rc" 2 "a truncated zstd stream fails"
like "$out" "truncated zstd" "the message says truncated zstd"
cp "$box/good.tar.gz" "$box/corrupt-gz.tar"
printf 'garbage!' | dd of="$box/corrupt-gz.tar" bs=1 seek=100 conv=notrunc \
	status=none
x corrupt-gz
is "$rc" 2 "a corrupt gzip stream fails"
like "$out" "gzip" "the message names gzip"
cp "$box/good.tar" "$box/badsum.tar"
printf 'X' | dd of="$box/badsum.tar" bs=1 seek=20 conv=notrunc status=none
x badsum
is "$rc" 2 "a header with a bad checksum fails"
like "$out" "checksum" "the message names the checksum"
head -c 700 "$box/good.tar" >"$box/trunc-plain.tar"
x trunc-plain
is "$rc" 2 "a truncated plain archive fails"
unchanged "broken streams"

# A decompression bomb into a small file system: a clear error.
if is_root; then
	python3 - "$box/bomb.tar.gz" <<'PY'
import gzip, io, sys, tarfile
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode='w') as t:
    ti = tarfile.TarInfo('zeros')
    ti.size = 64 << 20
    t.addfile(ti, io.BytesIO(bytes(64 << 20)))
with gzip.open(sys.argv[1], 'wb', 1) as f:
    f.write(buf.getvalue())
PY
	mkdir -p "$box/small"
	out=$(unshare -m sh -c "mount -t tmpfs -o size=4m none '$box/small' &&
		'$SCATMAN_BIN' tar -xf '$box/bomb.tar.gz' -C '$box/small'" 2>&1)
	rc=$?
	is "$rc" 2 "a bomb bigger than the file system fails"
	like "$out" "No space left on device" "with a clear message"
fi
unchanged "the end"
done_testing
