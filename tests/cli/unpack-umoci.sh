#!/bin/bash
# SPDX-License-Identifier: MIT
# Ground truth from a peer: the rootfs create makes against `umoci unpack`
# of the same image (as root, and --rootless as the test user): the same
# paths, types, permission bits, contents, symlink targets and hard link
# groups, for every compression and both media types.
. "$(dirname "$0")/../lib.sh"
need_registry

reg=$SCATMAN_TEST_REGISTRY
oci=$SCATMAN_TEST_FIXTURES/oci

# describe DIR [owners]: one line per path (type, mode, link target, and
# owners when asked), file contents, hard link groups.
describe() {
	local fmt='%p %y %m %l\n'
	[ "${2:-}" = owners ] && fmt='%p %y %m %l %U %G\n'
	(cd "$1" && find . -printf "$fmt" | LC_ALL=C sort &&
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum &&
		find . -type f -links +1 -printf '%i %p\n' | LC_ALL=C sort -k2 |
		awk '{ g[$1] = g[$1] " " $2 } END { for (i in g) print g[i] }' |
		LC_ALL=C sort)
}

umoci_tree() {	# TAG DIR [--rootless]
	umoci unpack ${3:-} --image "$oci:$1" "$2" >/dev/null 2>&1
}

if is_root; then
	umoci_tree layers "$t_tmp/u-layers"
	umoci_tree busybox "$t_tmp/u-busybox"
fi

for img in layers layers-docker layers-zstd layers-none busybox \
	busybox-docker; do
	base=${img%-docker}
	base=${base%-zstd}
	base=${base%-none}
	testcmd "create $img" 0 sm create --tls-verify=false "$reg/test/$img"
	rootfs=$t_tmp/root/chroots/$out/rootfs
	want=$(describe "$t_tmp/u-$base/rootfs" owners)
	got=$(describe "$rootfs" owners)
	is "$got" "$want" "$img: the tree umoci unpacks, owners included"
done

if is_root; then
	as_user mkdir -p "$t_tmp/home-$SCATMAN_TEST_USER/u"
	as_user umoci unpack --rootless --image "$oci:layers" \
		"$t_tmp/home-$SCATMAN_TEST_USER/u/layers" >/dev/null 2>&1
	ok $? "umoci unpack --rootless of the layers image works"
	testcmd "rootless create of layers" 0 \
		smu create --tls-verify=false "$reg/test/layers"
	urootfs=$t_tmp/home-$SCATMAN_TEST_USER/root/chroots/$out/rootfs
	utree=$t_tmp/home-$SCATMAN_TEST_USER/u/layers/rootfs
	# Compared as root: the trees hold 000 and subordinate-owned files.
	is "$(describe "$urootfs")" "$(describe "$utree")" \
		"rootless: the tree umoci --rootless unpacks (owners aside)"
	sub=$(awk -F: -v u="$SCATMAN_TEST_USER" '$1 == u { print $2; exit }' \
		/etc/subuid)
	user_uid=$(id -u "$SCATMAN_TEST_USER")
	is "$(stat -c %u:%g "$urootfs/hard1")" "$((sub + 999)):$((sub + 999))" \
		"rootless: uid/gid 1000 map to the subordinate range"
	is "$(stat -c %u "$urootfs/nobody")" "$((sub + 65533))" \
		"rootless: uid 65534 maps to the subordinate range"
	is "$(stat -c %u "$urootfs/etc/passwd")" "$user_uid" \
		"rootless: uid 0 is the user"
fi
done_testing
