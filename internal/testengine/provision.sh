#!/usr/bin/env bash
# Builds or reuses the pinned modern Docker Engine binaries (dockerd,
# docker-proxy, runc) under ${XDG_CACHE_HOME:-~/.cache}/berth-testengine,
# and prints their paths. A cold machine builds them once (about 25 minutes
# of CPU, niced); afterwards this takes well under a second.
set -euo pipefail
cd "$(dirname "$0")/../.."

# runc is built with its seccomp tag, which needs libseccomp's headers (cgo);
# the daemon's namespace needs iproute2 and nsenter (util-linux).
if [ "$(dpkg-query -W -f='${Status}' libseccomp-dev 2>/dev/null)" != "install ok installed" ] || ! command -v ip >/dev/null; then
	export DEBIAN_FRONTEND=noninteractive
	apt=(apt-get -o DPkg::Lock::Timeout=300 -y -q)
	"${apt[@]}" update
	"${apt[@]}" install --no-install-recommends libseccomp-dev iproute2 util-linux pkg-config
fi
exec go run ./internal/testengine/cmd/testengine provision
