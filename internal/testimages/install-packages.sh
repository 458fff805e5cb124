#!/usr/bin/env bash
# Installs the Debian packages berth's offline test images are assembled from:
# busybox-static (the busybox image and /bin/sh everywhere), redis-server and
# redis-tools (the redis image), nodejs and npm (the node image).
#
# Idempotent: when everything is present it only checks and exits. `apt-get
# update` runs at most once, and only when something must be installed.
set -euo pipefail

say() { printf 'install-packages: %s\n' "$*"; }

# installed reports whether the Debian package $1 is fully installed.
installed() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

missing=()
for pkg in busybox-static redis-server redis-tools; do
	if installed "$pkg"; then
		say "$pkg: installed"
	else
		missing+=("$pkg")
	fi
done
# node and npm are checked by command: NodeSource's nodejs package ships npm
# inside it, and Debian's own nodejs needs the separate npm package.
if command -v node >/dev/null; then
	say "node: $(command -v node) ($(dpkg -S "$(readlink -f "$(command -v node)")" 2>/dev/null | cut -d: -f1 || echo 'not from a package'))"
else
	missing+=(nodejs)
fi
if command -v npm >/dev/null; then
	say "npm: $(command -v npm)"
else
	missing+=(npm)
fi

if [ "${#missing[@]}" -eq 0 ]; then
	say "nothing to install"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null; then
		exec sudo -E "$0" "$@"
	fi
	say "must install ${missing[*]} but is not root and has no sudo" >&2
	exit 1
fi

# Keep the packages' init scripts from starting a redis on the host: only the
# binaries are wanted. policy-rc.d is Debian's switch for that; it is removed
# again unless it was there before.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 0755 /usr/sbin/policy-rc.d
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi

export DEBIAN_FRONTEND=noninteractive
apt=(apt-get -o DPkg::Lock::Timeout=300 -y -q)
say "apt-get update (once: must install ${missing[*]})"
"${apt[@]}" update
say "apt-get install ${missing[*]}"
"${apt[@]}" install --no-install-recommends "${missing[@]}"
say "done"
