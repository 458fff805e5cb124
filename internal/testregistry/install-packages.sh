#!/usr/bin/env bash
# Installs the Debian packages the registry tests need: docker-registry (the
# real Distribution registry they start on a loopback port) and
# apache2-utils (htpasswd, for its bcrypt logins). Also openssh-client:
# the BuildKit ssh forwarding e2e test starts its own ssh-agent.
#
# Kept apart from internal/testimages/install-packages.sh on purpose: that
# script's text is part of the offline images' fingerprint, and changing it
# would rebuild every test image.
#
# Idempotent: when both are present it only checks and exits.
set -euo pipefail

say() { printf 'testregistry: %s\n' "$*"; }

installed() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

missing=()
for pkg in docker-registry apache2-utils openssh-client; do
	if installed "$pkg"; then
		say "$pkg: installed"
	else
		missing+=("$pkg")
	fi
done
if [ "${#missing[@]}" -eq 0 ]; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null; then
		exec sudo -E "$0" "$@"
	fi
	say "must install ${missing[*]} but is not root and has no sudo" >&2
	exit 1
fi

# The package's init script would start a registry on port 5000 for the
# host; only the binary is wanted. policy-rc.d keeps services from starting.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 0755 /usr/sbin/policy-rc.d
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi

export DEBIAN_FRONTEND=noninteractive
apt=(apt-get -o DPkg::Lock::Timeout=300 -y -q)
say "apt-get update and install ${missing[*]}"
"${apt[@]}" update
"${apt[@]}" install --no-install-recommends "${missing[@]}"
