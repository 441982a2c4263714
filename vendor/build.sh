#!/bin/bash
# SPDX-License-Identifier: MIT
# Builds the static libraries of scatman-static (BearSSL, zlib, zstd, cJSON,
# libcurl) with musl-gcc from Debian bookworm's source packages pinned in
# vendor/versions, into vendor/prefix. Sources are fetched by apt-get with a
# private list directory under vendor/build/apt (the system's apt
# configuration is read for its mirror only, never changed), checked against
# the pinned .dsc hash and the .dsc's own checksums, and unpacked with
# dpkg-source into vendor/build/src, where vendor/patches/PKG-*.patch are
# applied. A stamp keyed on vendor/versions, the patches and this script
# makes a second run a no-op.
#
# usage: vendor/build.sh [-f]     (-f: rebuild even when up to date)
# env:   VENDOR_MIRROR, VENDOR_SECURITY_MIRROR override the mirrors found in
#        /etc/apt; VENDOR_JOBS the make parallelism (default: nproc);
#        VENDOR_CC the compiler (default: musl-gcc).
set -euo pipefail
shopt -s inherit_errexit

here=$(cd "$(dirname "$0")" && pwd)
B=$here/build
P=$here/prefix
SRC=$B/src
LOGS=$B/log
APTD=$B/apt
jobs=${VENDOR_JOBS:-$(nproc 2>/dev/null || echo 2)}
CC=${VENDOR_CC:-musl-gcc}
OPT="-O2 -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables"

say() { printf 'vendor: %s\n' "$*" >&2; }
fail() { say "error: $*"; exit 1; }

force=0
[ "${1:-}" = "-f" ] && force=1

command -v "$CC" >/dev/null || fail "'$CC' not found (Debian package musl-tools)"
command -v dpkg-source >/dev/null || fail "'dpkg-source' not found (Debian package dpkg-dev)"

key=$(cat "$here/versions" "$here/build.sh" "$here"/patches/*.patch |
	sha256sum | cut -c1-64)
libs_present() {
	local l
	for l in libbearssl.a libz.a libzstd.a libcjson.a libcurl.a; do
		[ -f "$P/lib/$l" ] || return 1
	done
	[ -f "$P/include/linux/openat2.h" ]
}
up_to_date() {
	[ $force -eq 0 ] && [ "$(cat "$P/.stamp" 2>/dev/null)" = "$key" ] &&
		libs_present
}
if up_to_date; then
	say "up to date ($P)"
	exit 0
fi

# One build at a time; the one that waited may find the work done.
mkdir -p "$B" "$SRC" "$LOGS"
exec 9>"$B/.lock"
flock 9
if up_to_date; then
	say "up to date ($P)"
	exit 0
fi

# --- apt: a private sources list, index and cache -------------------------

# The URI the system's apt uses for SUITE (deb822 .sources or one-line
# .list files); empty when none is configured.
system_mirror() {
	local suite=$1 f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk -v s="$suite" '$1 == "deb" {
			i = 2; if ($i ~ /^\[/) while ($i !~ /\]$/) i++
			if ($i ~ /^\[/) i++
			if ($(i + 1) == s) { print $i; exit }
		}' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v s="$suite" '
		function flush() {
			if (deb && uri != "" && (" " suites " ") ~ (" " s " "))
				print uri
			deb = 0; uri = ""; suites = ""
		}
		/^[ \t]*$/ { flush(); next }
		/^Types:/ { deb = ($0 ~ /[ \t]deb([ \t]|$)/) }
		/^URIs:/ { uri = $2 }
		/^Suites:/ { $1 = ""; suites = $0 }
		END { flush() }' "$f"
	done
}

main_mirror=${VENDOR_MIRROR:-$(system_mirror bookworm | head -n1)}
sec_mirror=${VENDOR_SECURITY_MIRROR:-$(system_mirror bookworm-security | head -n1)}
main_mirror=${main_mirror:-http://deb.debian.org/debian}
say "mirror: $main_mirror${sec_mirror:+ (security: $sec_mirror)}"

keyring=/usr/share/keyrings/debian-archive-keyring.gpg
signed=""
[ -f "$keyring" ] && signed="[signed-by=$keyring] "
mkdir -p "$APTD/lists/partial" "$APTD/parts" "$APTD/cache/archives/partial"
{
	echo "deb-src ${signed}$main_mirror bookworm main"
	[ -z "$sec_mirror" ] ||
		echo "deb-src ${signed}$sec_mirror bookworm-security main"
} >"$APTD/sources.list"

apt_opts=(
	-o "Dir::Etc::SourceList=$APTD/sources.list"
	-o "Dir::Etc::SourceParts=$APTD/parts"
	-o "Dir::State::Lists=$APTD/lists"
	-o "Dir::Cache=$APTD/cache"
	-o "Dir::State::Status=/dev/null"
	-o "Debug::NoLocking=1"
	-o "APT::Get::Only-Source=1"
)
# The download directory belongs to the invoking user, which apt's _apt
# sandbox could not write to.
[ "$(id -u)" -ne 0 ] || apt_opts+=(-o "APT::Sandbox::User=root")

say "updating the source index"
apt-get -q "${apt_opts[@]}" update >"$LOGS/apt-update.log" 2>&1 ||
	{ tail -n 20 "$LOGS/apt-update.log" >&2; fail "apt-get update failed"; }

# --- fetching and verifying -------------------------------------------------

# Prints the file names listed in a .dsc's Checksums-Sha256 field after
# checking each file's hash and size.
dsc_verify() {
	local dsc=$1 dir
	dir=$(dirname "$dsc")
	awk '/^Checksums-Sha256:/ { on = 1; next }
	     on && /^ / { print $1, $2, $3; next }
	     { on = 0 }' "$dsc" | while read -r sum size name; do
		case $name in */* | .* | "") fail "bad file name '$name' in $dsc" ;; esac
		[ -f "$dir/$name" ] || fail "$name (listed in $dsc) is missing"
		[ "$(stat -c %s "$dir/$name")" = "$size" ] ||
			fail "$name: size differs from $dsc"
		echo "$sum  $dir/$name" | sha256sum -c --quiet - ||
			fail "$name: SHA-256 differs from $dsc"
		echo "$name"
	done
}

# The versions of PKG in the private index, on one line.
available() {
	apt-cache "${apt_opts[@]}" showsrc "$1" 2>/dev/null |
		awk '$1 == "Version:" { printf "%s%s", sep, $2; sep = " " }'
}

# Fetches PKG=VER into $SRC/dl-PKG; returns 1 when apt cannot get it.
fetch() {
	local pkg=$1 ver=$2 dl=$SRC/dl-$1
	rm -rf "$dl"
	mkdir -p "$dl"
	(cd "$dl" && apt-get -q "${apt_opts[@]}" source --download-only \
		"$pkg=$ver") >"$LOGS/fetch-$pkg.log" 2>&1
}

# Fetches, verifies and unpacks a pinned package; prints the source dir.
obtain() {
	local pkg=$1 ver=$2 sum=$3 sec=${4:-} dl=$SRC/dl-$1 dsc uver dir
	if [ -n "$sec" ] && fetch "$pkg" "$sec"; then
		say "$pkg: using $sec from bookworm-security (not pinned by hash;" \
			"verified by apt's signed index and its .dsc)"
		ver=$sec
		sum=""
	else
		[ -z "$sec" ] || say "$pkg: security update $sec not reachable;" \
			"falling back to the main archive's $ver"
		fetch "$pkg" "$ver" || { tail -n 5 "$LOGS/fetch-$pkg.log" >&2
			fail "cannot fetch $pkg=$ver (the archive has:" \
				"$(available "$pkg"); see vendor/README.md," \
				"\"Updating a pin\")"; }
	fi
	uver=${ver#*:}
	dsc=$dl/${pkg}_$uver.dsc
	[ -f "$dsc" ] || fail "$pkg: $dsc not downloaded"
	if [ -n "$sum" ]; then
		echo "$sum  $dsc" | sha256sum -c --quiet - >/dev/null 2>&1 ||
			fail "$pkg: $dsc does not match the SHA-256 pinned in vendor/versions"
	fi
	[ -n "$(dsc_verify "$dsc")" ] || fail "$pkg: $dsc lists no files"
	dir=$SRC/$pkg-$uver
	rm -rf "$dir"
	dpkg-source -q --no-check -x "$dsc" "$dir" >"$LOGS/unpack-$pkg.log" 2>&1 ||
		{ tail -n 5 "$LOGS/unpack-$pkg.log" >&2; fail "$pkg: dpkg-source failed"; }
	for f in "$here/patches/$pkg"-*.patch; do
		[ -f "$f" ] || continue
		patch -d "$dir" -p1 --forward --batch <"$f" \
			>>"$LOGS/unpack-$pkg.log" 2>&1 ||
			fail "$pkg: $(basename "$f") does not apply"
	done
	echo "$ver" >"$dir/.scatman-version"
	echo "$dir"
}

# --- recipes: each runs in the unpacked source dir ------------------------

build_bearssl() {
	make -j"$jobs" CC="$CC" LD="$CC" CFLAGS="$OPT -fPIC" \
		LDFLAGS= build/libbearssl.a
	install -D -m644 build/libbearssl.a "$P/lib/libbearssl.a"
	mkdir -p "$P/include"
	install -m644 inc/*.h "$P/include/"
}

build_zlib() {
	CC="$CC" CFLAGS="$OPT" ./configure --static --prefix="$P"
	make -j"$jobs" libz.a
	make install
}

build_libzstd() {
	make -C lib -j"$jobs" CC="$CC" CFLAGS="$OPT" \
		ZSTD_LEGACY_SUPPORT=0 libzstd.a
	install -D -m644 lib/libzstd.a "$P/lib/libzstd.a"
	install -m644 lib/zstd.h lib/zdict.h lib/zstd_errors.h "$P/include/"
}

build_cjson() {
	# shellcheck disable=SC2086 # OPT is a list of flags
	"$CC" $OPT -std=c89 -c -o cJSON.o cJSON.c
	ar rcs libcjson.a cJSON.o
	install -D -m644 libcjson.a "$P/lib/libcjson.a"
	install -D -m644 cJSON.h "$P/include/cjson/cJSON.h"
}

build_curl() {
	local off=(ftp file ldap ldaps rtsp dict telnet tftp pop3 imap smb smtp
		gopher mqtt manual ntlm ntlm-wb tls-srp sspi
		libcurl-option websockets alt-svc)
	local no=(libpsl brotli zstd nghttp2 nghttp3 ngtcp2 quiche msh3 libidn2
		libssh2 libssh wolfssh librtmp libgsasl hyper ca-bundle ca-path
		ca-fallback zsh-functions-dir fish-functions-dir)
	local args=() o
	for o in "${off[@]}"; do args+=("--disable-$o"); done
	for o in "${no[@]}"; do args+=("--without-$o"); done
	PKG_CONFIG_LIBDIR="$P/lib/pkgconfig" PKG_CONFIG_PATH='' \
	CC="$CC" CFLAGS="$OPT" CPPFLAGS="-I$P/include" LDFLAGS="-L$P/lib" \
		./configure --prefix="$P" --disable-shared --enable-static \
		--with-bearssl="$P" --with-zlib="$P" --enable-http \
		--enable-proxy --enable-ipv6 --enable-threaded-resolver \
		--disable-dependency-tracking --enable-option-checking=fatal \
		"${args[@]}"
	make -C lib -j"$jobs"
	make -C lib install
	make -C include install
	install -D -m644 libcurl.pc "$P/lib/pkgconfig/libcurl.pc"
}

# musl-gcc searches musl's headers only; the kernel's UAPI headers (linux/,
# asm/, asm-generic/) are libc-neutral, so they are copied from the host's
# linux-libc-dev.
kernel_headers() {
	local arch d
	arch=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
	if [ ! -f /usr/include/linux/openat2.h ] ||
	   [ ! -d "/usr/include/$arch/asm" ]; then
		fail "kernel headers not found (Debian package linux-libc-dev)"
	fi
	for d in linux asm-generic; do
		rm -rf "${P:?}/include/$d"
		cp -R "/usr/include/$d" "$P/include/$d"
	done
	rm -rf "${P:?}/include/asm"
	cp -R "/usr/include/$arch/asm" "$P/include/asm"
	dpkg-query -W -f='${Version}\n' linux-libc-dev >"$P/.version-linux-libc-dev" \
		2>/dev/null || true
}

# --- main -------------------------------------------------------------------

mkdir -p "$P/lib" "$P/include"
kernel_headers
start=$(date +%s)
while read -r pkg ver sum sec; do
	case $pkg in "" | \#*) continue ;; esac
	stamp=$P/.stamp-$pkg
	if [ $force -eq 0 ] && [ "$(cat "$stamp" 2>/dev/null)" = "$key" ]; then
		say "$pkg: already built"
		continue
	fi
	dir=$(obtain "$pkg" "$ver" "$sum" "$sec")
	say "$pkg: building $(cat "$dir/.scatman-version")"
	# Not under "||", so that errexit stays on inside the recipe.
	set +e
	(set -e; cd "$dir"; "build_$pkg") >"$LOGS/build-$pkg.log" 2>&1
	rc=$?
	set -e
	if [ $rc -ne 0 ]; then
		tail -n 30 "$LOGS/build-$pkg.log" >&2
		fail "$pkg: build failed (log: $LOGS/build-$pkg.log)"
	fi
	cat "$dir/.scatman-version" >"$P/.version-$pkg"
	echo "$key" >"$stamp"
done <"$here/versions"

libs_present || fail "a library is missing from $P/lib"
echo "$key" >"$P/.stamp"
say "done in $(( $(date +%s) - start ))s: $P"
