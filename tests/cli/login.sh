#!/bin/bash
# SPDX-License-Identifier: MIT
# TLS with a CA of the test's own, htpasswd basic auth, the Bearer token
# flow, login and logout.
. "$(dirname "$0")/../lib.sh"
need_registry
id=$(cat "$SCATMAN_TEST_FIXTURES/busybox.id")
root=$t_tmp/root
pki=$t_tmp/pki certs=$t_tmp/certs
mkdir -p "$pki" "$certs"

# A CA and a server certificate for 127.0.0.1.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$pki/ca.key" -out "$pki/ca.crt" \
	-subj /CN=scatman-test-ca -days 2 >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -keyout "$pki/srv.key" -out "$pki/srv.csr" \
	-subj /CN=127.0.0.1 >/dev/null 2>&1
printf 'subjectAltName=IP:127.0.0.1\n' >"$pki/ext"
openssl x509 -req -in "$pki/srv.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" \
	-CAcreateserial -out "$pki/srv.crt" -days 2 -extfile "$pki/ext" >/dev/null 2>&1
cp "$pki/ca.crt" "$certs/ca.crt"
htpasswd -Bbn tester s3cret >"$pki/htpasswd" 2>/dev/null

treg=$("$TESTS_DIR/registry.sh" start "$t_tmp/regtls" --tls "$pki/srv.crt" "$pki/srv.key" \
	--htpasswd "$pki/htpasswd") || bail "TLS registry did not start"
t_cleanup_cmds+=("$TESTS_DIR/registry.sh stop $t_tmp/regtls")
skopeo copy -q --dest-cert-dir "$certs" --dest-creds tester:s3cret \
	"oci:$SCATMAN_TEST_FIXTURES/oci:busybox" "docker://$treg/test/busybox:latest" ||
	bail "cannot push to the TLS registry"

af=$t_tmp/auth.json
before=$(sm images -q; tree_hash "$root")
testcmd "an unknown CA fails" 125 sm pull --authfile "$af" "$treg/test/busybox"
like "$err" "TLS failure.*certs.d.*--cert-dir.*--tls-verify=false" "says how to trust the CA"
testcmd "no credentials fails" 125 sm pull --authfile "$af" --cert-dir "$certs" "$treg/test/busybox"
like "$err" "requires authentication: run 'scatman login $treg'" "says to log in"
testcmd "wrong credentials fail" 125 sm pull --cert-dir "$certs" --creds tester:nope "$treg/test/busybox"
like "$err" "denied.*scatman login" "says access was denied"
is "$(tree_hash "$root")" "$(echo "$before" | tail -1)" "failures leave the store unchanged"

testcmd "pull with --creds and --cert-dir" 0 sm pull -q --cert-dir "$certs" --creds tester:s3cret \
	"$treg/test/busybox"
is "$out" "$id" "the image ID"
check "rmi" sm rmi -a
testcmd "unverified TLS with --tls-verify=false" 0 sm pull -q --tls-verify=false \
	--creds tester:s3cret "$treg/test/busybox"
is "$out" "$id" "the image ID"

testcmd "login with a wrong password" 125 sm login --authfile "$af" --cert-dir "$certs" \
	-u tester --password-stdin "$treg" <<<"nope"
like "$err" "invalid username/password" "says so"
check "no credentials stored" test ! -e "$af"
testcmd "login" 0 sm login --authfile "$af" --cert-dir "$certs" -u tester \
	--password-stdin "$treg" <<<"s3cret"
is "$out" "Login Succeeded!" "says so"
is "$(stat -c %a "$af")" 600 "the file is private"
like "$(cat "$af")" "\"$treg\"" "keyed by the registry"
like "$(cat "$af")" "$(printf tester:s3cret | base64)" "with the encoded credentials"
check "rmi" sm rmi -a
testcmd "pull with stored credentials" 0 env REGISTRY_AUTH_FILE="$af" \
	"$SCATMAN_BIN" --root "$root" pull -q --cert-dir "$certs" "$treg/test/busybox"
is "$out" "$id" "REGISTRY_AUTH_FILE is read"
testcmd "logout" 0 sm logout --authfile "$af" "$treg"
is "$out" "Removed login credentials for $treg" "says so"
unlike "$(cat "$af")" "$treg" "the entry is gone"
testcmd "logout again" 125 sm logout --authfile "$af" "$treg"
like "$err" "not logged into $treg" "says so"
printf '{"auths":{"https://%s/v1/":{"auth":"%s"}}}' "$treg" \
	"$(printf tester:s3cret | base64)" >"$t_tmp/docker.json"
check "rmi" sm rmi -a
testcmd "docker-style keys are understood" 0 sm pull -q --authfile "$t_tmp/docker.json" \
	--cert-dir "$certs" "$treg/test/busybox"
check "login as another" sm login --authfile "$af" --tls-verify=false -u tester -p s3cret "$treg"
testcmd "logout --all" 0 sm logout --authfile "$af" --all
is "$(tr -d ' \n\t' <"$af")" '{"auths":{}}' "every entry is gone"

# The Bearer token flow through a token service fronting the registry,
# blobs redirected to another host name.
flog=$t_tmp/front.log
start_front front --token --user tok:en --redirect-host localhost
front=$front_addr
check "rmi" sm rmi -a
testcmd "token service refuses anonymous" 125 sm pull --authfile "$af" --tls-verify=false "$front/test/busybox"
like "$err" "token service of .* refused the credentials: run .scatman login" "says the token was refused"
testcmd "Bearer token flow with credentials" 0 sm pull -q --tls-verify=false --creds tok:en \
	"$front/test/busybox"
is "$out" "$id" "the image ID"
like "$(cat "$flog")" 'token /token\?service=scatman%2C%20test&scope=repository%3Atest%2Fbusybox%3Apull auth=Basic' \
	"service and scope from a quoted challenge with a comma, credentials to the realm"
like "$(cat "$flog")" "GET /redirected/v2/test/busybox/blobs/sha256:[0-9a-f]+ range= auth=no" \
	"the token is not sent to the redirect's other host"
testcmd "login to a token registry" 0 sm login --authfile "$af" --tls-verify=false \
	-u tok -p en "$front"
testcmd "login to a token registry, bad password" 125 sm login --authfile "$af" \
	--tls-verify=false -u tok -p bad "$front"
# Tokens that stop working during the pull: a new one is fetched.
start_front front2 --token --token-uses 2
front2=$front_addr
check "rmi" sm rmi -a
testcmd "a token expiring mid-pull is renewed" 0 sm pull -q --tls-verify=false \
	"$front2/test/busybox"
is "$out" "$id" "the image ID"
ntok=$(grep -c '^token ' "$t_tmp/front2.log")
ok $([ "$ntok" -ge 2 ]; echo $?) "more than one token was fetched"

testcmd "login -u without a value" 125 sm login -u
is "$err" "scatman: login: option '-u' needs an argument (see 'scatman login --help')" \
	"one line naming the option"
testcmd "logout --bogus" 125 sm logout --bogus
is "$err" "scatman: logout: unknown option '--bogus' (see 'scatman logout --help')" \
	"one line naming the option"
done_testing
