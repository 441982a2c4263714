#!/bin/bash
# SPDX-License-Identifier: MIT
# The static binary: statically linked, runs alone in an empty root
# (version, --help, tar, ps), and pulls over HTTPS there with only a CA
# file and resolv.conf added. Runs when the binary under test is static
# ("make check STATIC=1"), or on SCATMAN_STATIC_BIN.
. "$(dirname "$0")/../lib.sh"

bin=${SCATMAN_STATIC_BIN:-$SCATMAN_BIN}
if ! file -L -b "$bin" | grep -q 'statically linked'; then
	skip "the binary under test is dynamic: make check STATIC=1 runs these"
	done_testing
	exit
fi

# inroot DIR CMD...: CMD in a new user namespace chrooted into DIR, with
# an environment of HOME alone (plus ENV, a list of VAR=VALUE).
ENV=()
inroot() {
	local dir=$1
	shift
	env -i HOME=/root "${ENV[@]}" "$(command -v unshare)" -r \
		"$(command -v chroot)" "$dir" "$@"
}

# newroot NAME: an empty directory holding nothing but the binary.
newroot() {
	local d=$t_tmp/$1
	mkdir -p "$d"
	cp "$bin" "$d/scatman"
	echo "$d"
}

# --- the file ---------------------------------------------------------------

like "$(file -L -b "$bin")" 'statically linked' "file says statically linked"
out=$(ldd "$bin" 2>&1)
like "$out" 'not a dynamic executable' "ldd says not a dynamic executable"
size=$(stat -L -c %s "$bin")
ok $(( size <= 2 * 1024 * 1024 ? 0 : 1 )) "at most 2 MiB ($size bytes)"
unlike "$(file -L -b "$bin")" 'not stripped' "stripped"
# musl sizes thread stacks from PT_GNU_STACK (128 KiB when it says 0).
stack=$(readelf -lW "$bin" | awk '$1 == "GNU_STACK" { print $6 }')
ok $(( ${stack:-0} >= 0x100000 ? 0 : 1 )) "threads get at least 1 MiB of stack ($stack)"

# --- alone in an empty root -------------------------------------------------

d=$(newroot empty)
is "$(find "$d" | wc -l)" 2 "the root holds the binary only"
testcmd "version" 0 inroot "$d" /scatman version
like "$out" '^scatman version ' "version prints the version"
testcmd "--help" 0 inroot "$d" /scatman --help
like "$out" 'Available Commands:' "--help lists the commands"
# Under the name "make static" gives it, it is still the manager.
cp "$bin" "$d/scatman-static"
testcmd "runs as scatman-static" 0 inroot "$d" /scatman-static version
like "$out" '^scatman version ' "as the manager"
rm "$d/scatman-static"
testcmd "pull --help" 0 inroot "$d" /scatman pull --help
like "$out" '^Usage: scatman pull' "a command's usage"
# No HOME and no passwd: help works, storage commands say what is missing.
testcmd "version with no HOME" 0 env -i "$(command -v unshare)" -r \
	"$(command -v chroot)" "$d" /scatman version
testcmd "images with no HOME" 125 env -i "$(command -v unshare)" -r \
	"$(command -v chroot)" "$d" /scatman images
like "$err" 'cannot find a storage root' "names the missing storage root"

# tar by its link name: archive the binary, list it, extract it elsewhere.
ln -s scatman "$d/tar"
testcmd "tar -c" 0 inroot "$d" /tar -C / -cf /a.tar scatman
testcmd "tar -t" 0 inroot "$d" /tar -tf /a.tar
is "$out" "scatman" "tar lists the member"
mkdir "$d/x"
testcmd "tar -x" 0 inroot "$d" /tar -C /x -xf /a.tar
check "tar extracts it intact" cmp "$d/scatman" "$d/x/scatman"
testcmd "tar -cz through zlib" 0 inroot "$d" /tar -C / -czf /a.tgz scatman
is "$(gzip -dc "$d/a.tgz" | tar -tf - 2>&1)" "scatman" \
	"GNU tar reads the gzip archive"
testcmd "tar --zstd through libzstd" 0 \
	inroot "$d" /tar -C / --zstd -cf /a.tar.zst scatman
is "$(zstd -dc "$d/a.tar.zst" | tar -tf - 2>&1)" "scatman" \
	"GNU tar reads the zstd archive"

# ps, with a /proc of a new pid namespace: the chroot's first process is 1.
ln -s scatman "$d/ps"
mkdir "$d/proc"
testcmd "ps" 0 env -i HOME=/root "$(command -v unshare)" -rpf \
	--mount-proc="$d/proc" "$(command -v chroot)" "$d" /ps -e
like "$out" 'PID' "ps prints its header"
like "$out" '(^|\n) *1 .*ps' "ps sees itself as pid 1"

if is_root; then
	testcmd "runs in an empty root as an unprivileged user" 0 \
		as_user env -i HOME=/ "$(command -v unshare)" -r \
		"$(command -v chroot)" "$d" /scatman version
fi

# --- HTTPS pull in the empty root ---------------------------------------------
# A CA of our own, and registries serving certificates it signed.

need_registry
pki=$t_tmp/pki
mkdir -p "$pki/certs"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$pki/ca.key" \
	-out "$pki/ca.crt" -days 2 -subj /CN=scatman-test-ca \
	-addext basicConstraints=critical,CA:TRUE \
	-addext keyUsage=critical,keyCertSign,cRLSign >/dev/null 2>&1
cp "$pki/ca.crt" "$pki/certs/ca.crt"

# tls_registry NAME CN SAN: a registry with a certificate for CN and SAN
# holding the busybox fixture as test/static; prints its port.
tls_registry() {
	local n=$1 a
	openssl req -newkey rsa:2048 -nodes -keyout "$pki/$n.key" \
		-out "$pki/$n.csr" -subj "/CN=$2" >/dev/null 2>&1
	printf '%s\n' "subjectAltName=$3" 'basicConstraints=CA:FALSE' \
		'extendedKeyUsage=serverAuth' >"$pki/$n.ext"
	openssl x509 -req -in "$pki/$n.csr" -CA "$pki/ca.crt" \
		-CAkey "$pki/ca.key" -CAcreateserial -out "$pki/$n.crt" \
		-days 2 -extfile "$pki/$n.ext" >/dev/null 2>&1
	a=$("$TESTS_DIR/registry.sh" start "$t_tmp/reg-$n" --tls \
		"$pki/$n.crt" "$pki/$n.key") || return 1
	skopeo copy -q --dest-cert-dir "$pki/certs" \
		"oci:$SCATMAN_TEST_FIXTURES/oci:busybox" \
		"docker://localhost:${a##*:}/test/static:latest" \
		>/dev/null 2>&1 || return 1
	echo "${a##*:}"
}

t_cleanup_cmds+=("'$TESTS_DIR/registry.sh' stop '$t_tmp/reg-good'")
port=$(tls_registry good localhost 'DNS:localhost,IP:127.0.0.1') ||
	bail "the TLS registry did not start"
img=localhost:$port/test/static:latest

# With the CA where Debian keeps its bundle, and a resolv.conf.
d=$(newroot https)
mkdir -p "$d/etc/ssl/certs"
cp "$pki/ca.crt" "$d/etc/ssl/certs/ca-certificates.crt"
echo "nameserver 127.0.0.1" >"$d/etc/resolv.conf"
testcmd "pull over HTTPS with the CA in /etc/ssl/certs" 0 \
	inroot "$d" /scatman --root /store pull -q "$img"
testcmd "images" 0 inroot "$d" /scatman --root /store images
like "$out" "localhost:$port/test/static" "the pulled image is listed"

# Fedora's place, then SSL_CERT_FILE.
d=$(newroot https-fedora)
mkdir -p "$d/etc/pki/tls/certs"
cp "$pki/ca.crt" "$d/etc/pki/tls/certs/ca-bundle.crt"
testcmd "pull with the CA where Fedora keeps it" 0 \
	inroot "$d" /scatman --root /store pull -q "$img"
d=$(newroot https-env)
cp "$pki/ca.crt" "$d/my-ca.pem"
ENV=(SSL_CERT_FILE=/my-ca.pem)
testcmd "pull with SSL_CERT_FILE" 0 \
	inroot "$d" /scatman --root /store pull -q "$img"
ENV=()

# No CA at all: the failure says so; --cert-dir then makes it work.
d=$(newroot https-none)
testcmd "pull without any CA fails" 125 \
	inroot "$d" /scatman --root /store pull -q "$img"
like "$err" 'no CA certificates found' "and says no CA certificates were found"
mkdir -p "$d/certs"
cp "$pki/ca.crt" "$d/certs/ca.crt"
testcmd "pull --cert-dir" 0 \
	inroot "$d" /scatman --root /store pull -q --cert-dir /certs "$img"

# A registry named by its IP address: the address must be among the
# certificate's iPAddress names; a common name or another address does
# not do.
testcmd "pull from an IP address in the certificate" 0 \
	inroot "$d" /scatman --root /store pull -q --cert-dir /certs \
	"127.0.0.1:$port/test/static:latest"
t_cleanup_cmds+=("'$TESTS_DIR/registry.sh' stop '$t_tmp/reg-other'")
port2=$(tls_registry other 127.0.0.1 'DNS:localhost,IP:127.0.0.2') ||
	bail "the second TLS registry did not start"
testcmd "pull from an IP address not in the certificate fails" 125 \
	inroot "$d" /scatman --root /store pull -q --cert-dir /certs \
	"127.0.0.1:$port2/test/static:latest"
like "$err" "TLS failure.*server name was not found" "as a TLS failure about the name"
testcmd "the same registry by its host name" 0 \
	inroot "$d" /scatman --root /store pull -q --cert-dir /certs \
	"localhost:$port2/test/static:latest"

# The wrong CA is refused.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$pki/other.key" \
	-out "$pki/other.crt" -days 2 -subj /CN=other-ca >/dev/null 2>&1
d=$(newroot https-wrong)
mkdir -p "$d/etc/ssl/certs"
cp "$pki/other.crt" "$d/etc/ssl/certs/ca-certificates.crt"
testcmd "pull with a CA that did not sign the registry fails" 125 \
	inroot "$d" /scatman --root /store pull -q "$img"

done_testing
