#!/usr/bin/env bash
# Builds or reuses the pinned modern Docker Engine binaries (dockerd,
# docker-proxy, runc) under ${XDG_CACHE_HOME:-~/.cache}/berth-testengine,
# and prints their paths. A cold machine builds them once (about 25 minutes
# of CPU, niced); afterwards this takes well under a second.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec go run ./internal/testengine/cmd/testengine provision
