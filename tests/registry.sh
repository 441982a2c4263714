#!/bin/bash
# SPDX-License-Identifier: MIT
# Starts Debian's docker-registry on a free loopback port.
#
# usage: registry.sh start DIR [--tls CERT KEY] [--htpasswd FILE]
#          prints the address (127.0.0.1:PORT); the pid goes to DIR/pid
#        registry.sh stop DIR
set -euo pipefail

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

cmd=$1 dir=$2
shift 2
case $cmd in
stop)
	[ -f "$dir/pid" ] && kill "$(cat "$dir/pid")" 2>/dev/null || true
	rm -f "$dir/pid"
	exit 0 ;;
start) ;;
*) echo "usage: registry.sh start|stop DIR" >&2; exit 2 ;;
esac

tls="" auth=""
while [ $# -gt 0 ]; do
	case $1 in
	--tls) tls="  tls:
    certificate: $2
    key: $3"; shift 3 ;;
	--htpasswd) auth="auth:
  htpasswd:
    realm: scatman-test
    path: $2"; shift 2 ;;
	*) echo "registry.sh: unknown option $1" >&2; exit 2 ;;
	esac
done

mkdir -p "$dir/data"
for try in 1 2 3 4 5; do
	port=$(free_port)
	cat >"$dir/config.yml" <<CFG
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
$tls
$auth
CFG
	docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 &
	echo $! >"$dir/pid"
	scheme=http
	[ -n "$tls" ] && scheme=https
	for _ in $(seq 1 100); do
		if curl -sk -o /dev/null "$scheme://127.0.0.1:$port/v2/"; then
			echo "127.0.0.1:$port"
			exit 0
		fi
		kill -0 "$(cat "$dir/pid")" 2>/dev/null || break
		sleep 0.05
	done
	kill "$(cat "$dir/pid")" 2>/dev/null || true
done
echo "registry.sh: docker-registry did not start, see $dir/log" >&2
exit 1
