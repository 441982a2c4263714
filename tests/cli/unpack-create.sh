#!/bin/bash
# SPDX-License-Identifier: MIT
# create with hand-made images: a symlink planted by one layer and used by
# the next, a layer whose digest does not match the config's diff_id,
# devices and ids beyond the map when rootless, and staging directories
# left by a killed create.
. "$(dirname "$0")/../lib.sh"
need_registry

reg=$SCATMAN_TEST_REGISTRY
lay=$t_tmp/layers
mkdir -p "$lay"
sentinel=$t_tmp/sentinel
mkdir -p "$sentinel"
echo precious >"$sentinel/file"
before=$(tree_hash "$sentinel")

# layer NAME PYTHON: $lay/NAME.tar from add(name, kind, data, link, uid).
layer() {
	python3 - "$lay/$1.tar" <<PY
import io, sys, tarfile
def add(name, kind='f', data=b'x\n', link='', uid=0, major=0, minor=0):
    ti = tarfile.TarInfo(name)
    ti.mode = 0o755 if kind == 'd' else 0o644
    ti.uid = ti.gid = uid
    ti.type = {'f': tarfile.REGTYPE, 'd': tarfile.DIRTYPE,
               'l': tarfile.SYMTYPE, 'c': tarfile.CHRTYPE}[kind]
    ti.linkname = link
    ti.devmajor, ti.devminor = major, minor
    ti.size = len(data) if kind == 'f' else 0
    t.addfile(ti, io.BytesIO(data) if kind == 'f' else None)
with tarfile.open(sys.argv[1], 'w', format=tarfile.PAX_FORMAT) as t:
$(printf '%s\n' "$2" | sed 's/^/    /')
PY
}
# image TAG LAYER...: an OCI image pushed as $reg/test/TAG.
image() {
	local tag=$1 l ls=()
	shift
	for l in "$@"; do ls+=("$lay/$l.tar"); done
	"$TESTS_DIR/fixtures/mkimage.sh" "$t_tmp/oci-$tag" "$tag" "${ls[@]}" \
		>/dev/null &&
		skopeo copy -q --dest-tls-verify=false "oci:$t_tmp/oci-$tag:$tag" \
			"docker://$reg/test/$tag:latest"
}

layer plant "add('evil', 'l', link='../../../../../../../..$sentinel')
add('evil-abs', 'l', link='$sentinel')"
layer use "add('evil/pwned')
add('evil-abs/pwned-abs')"
image t-plant plant use
testcmd "create with a symlink planted across layers" 0 \
	sm create --tls-verify=false "$reg/test/t-plant"
rootfs=$t_tmp/root/chroots/$out/rootfs
is "$(tree_hash "$sentinel")" "$before" "the sentinel outside is unchanged"
check "the entries landed inside the rootfs" \
	test -f "$rootfs$sentinel/pwned" -a -f "$rootfs$sentinel/pwned-abs"

# A config whose first diff_id is wrong.
layer one "add('one')"
image t-baddiff one
python3 - "$t_tmp/oci-t-baddiff" t-baddiff <<'PY'
import hashlib, json, os, sys
d, tag = sys.argv[1], sys.argv[2]
def blob(dg): return os.path.join(d, 'blobs', dg.replace(':', '/'))
def put(data):
    dg = 'sha256:' + hashlib.sha256(data).hexdigest()
    open(blob(dg), 'wb').write(data)
    return dg, len(data)
idx = json.load(open(os.path.join(d, 'index.json')))
m = [m for m in idx['manifests']
     if m['annotations']['org.opencontainers.image.ref.name'] == tag][0]
man = json.load(open(blob(m['digest'])))
cfg = json.load(open(blob(man['config']['digest'])))
cfg['rootfs']['diff_ids'][0] = 'sha256:' + '0' * 64
man['config']['digest'], man['config']['size'] = put(json.dumps(cfg).encode())
m['digest'], m['size'] = put(json.dumps(man).encode())
json.dump(idx, open(os.path.join(d, 'index.json'), 'w'))
PY
skopeo copy -q --dest-tls-verify=false "oci:$t_tmp/oci-t-baddiff:t-baddiff" \
	"docker://$reg/test/t-baddiff:latest"
nchroots=$(ls "$t_tmp/root/chroots" | wc -l)
testcmd "a layer not matching its diff_id fails" 125 \
	sm create --tls-verify=false "$reg/test/t-baddiff"
like "$err" "digest mismatch" "the error names the digest mismatch"
is "$(ls "$t_tmp/root/chroots" | wc -l)" "$nchroots" "no chroot was added"
is "$(ls "$t_tmp/root/tmp" | grep -c '^create-')" 0 "no staging left"

# Stale staging from a killed create goes at the next create.
mkdir -p "$t_tmp/root/tmp/create-stale/rootfs/ro"
chmod 000 "$t_tmp/root/tmp/create-stale/rootfs/ro"
testcmd "create after a killed one" 0 \
	sm create --tls-verify=false "$reg/test/t-plant"
check "the stale staging directory is gone" \
	test ! -e "$t_tmp/root/tmp/create-stale"

# A create killed at any point leaves either a complete chroot or none:
# every chroot listed has its config, and the next create cleans up.
layer bulk "$(for i in $(seq 300); do echo "add('d$((i % 10))/f$i', data=b'x' * 4000)"; done)"
image t-bulk bulk
sm pull -q --tls-verify=false "$reg/test/t-bulk" >/dev/null
for delay in 0.01 0.05 0.1 0.2; do
	"$SCATMAN_BIN" --root "$t_tmp/root" create "$reg/test/t-bulk" \
		>/dev/null 2>&1 &
	sleep "$delay"
	kill -9 $! 2>/dev/null
	wait $! 2>/dev/null
done
half=0
for d in "$t_tmp/root/chroots"/*/; do
	[ -f "$d/config.json" ] && [ -d "$d/rootfs" ] || half=$((half + 1))
done
is "$half" 0 "no half-made chroot after kill -9 during create"
testcmd "create after the kills" 0 sm create "$reg/test/t-bulk"
is "$(ls "$t_tmp/root/tmp" | grep -c '^create-')" 0 \
	"the killed creates' staging directories are gone"

if is_root; then
	layer dev "add('dev', 'd')
add('dev/null', 'c', major=1, minor=3)
add('dev/zero', 'c', major=1, minor=5)
add('far', uid=70000)
add('near', uid=1000)"
	image t-dev dev
	testcmd "as root, devices are created" 0 \
		sm create --tls-verify=false "$reg/test/t-dev"
	check "a character device in the rootfs" \
		test -c "$t_tmp/root/chroots/$out/rootfs/dev/null"
	is "$(stat -c %u "$t_tmp/root/chroots/$out/rootfs/far")" 70000 \
		"as root, ids are kept as they are"
	testcmd "rootless, devices and ids beyond the map" 0 \
		smu create --tls-verify=false "$reg/test/t-dev"
	urootfs=$t_tmp/home-$SCATMAN_TEST_USER/root/chroots/$out/rootfs
	like "$err" "2 device nodes not created" "one warning for the devices"
	like "$err" "1 files have owners beyond the mapped ids 0-65536" \
		"one warning naming the count and the mapped range"
	like "$err" "range of 70000 ids" "and the range that would be needed"
	is "$(stat -c %U "$urootfs/far")" "$SCATMAN_TEST_USER" \
		"a file of an unmapped id is owned by root inside"
	check "no device made" test ! -e "$urootfs/dev/null"

	# A rootless stale stage holds subordinate-owned files.
	st=$t_tmp/home-$SCATMAN_TEST_USER/root/tmp/create-stale
	mkdir -p "$st/rootfs/d"
	echo x >"$st/rootfs/d/f"
	sub=$(awk -F: -v u="$SCATMAN_TEST_USER" '$1 == u { print $2; exit }' \
		/etc/subuid)
	chown -R "$((sub + 5)):$((sub + 5))" "$st/rootfs"
	chown "$SCATMAN_TEST_USER:" "$st"
	chmod 000 "$st/rootfs/d"
	testcmd "rootless create after a killed one" 0 \
		smu create --tls-verify=false "$reg/test/t-plant"
	check "the rootless stale stage is removed" test ! -e "$st"
fi
done_testing
