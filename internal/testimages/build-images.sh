#!/usr/bin/env bash
# Builds berth's offline test images from the host's Debian packages, with no
# registry: berth-test/busybox, berth-test/node and berth-test/redis.
#
# Each image is a root filesystem assembled here and loaded with
# `docker import`: busybox-static for /bin/sh and the usual tools, plus the
# binaries (node, npm, redis-server, redis-cli) with the shared libraries ldd
# lists. Every image carries a label with the hash of what it was made from
# (this script, the image's settings, the source files' sizes and times); an
# image whose label matches is kept, so a second run takes a second or two.
#
# Usage: build-images.sh [--force]    (--force rebuilds all three)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
self="$here/$(basename "$0")"
label=berth.testimages.hash
path_env=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
force=${1:-}

BUSYBOX_IMAGE=berth-test/busybox:latest
NODE_IMAGE=berth-test/node:latest
REDIS_IMAGE=berth-test/redis:latest

step=start
say() { printf 'build-images: %s\n' "$*"; }
trap 'say "failed during \"$step\": $BASH_COMMAND exited $?" >&2' ERR

step="check the Docker Engine"
if ! docker version --format '{{.Server.Version}}' >/dev/null; then
	say "no Docker Engine answers on ${DOCKER_HOST:-/var/run/docker.sock}" >&2
	exit 1
fi

step="install packages"
"$here/install-packages.sh" | sed 's/^/  /'

# Tests of several packages may call this at once: one builds, the others
# wait and then find the labels matching.
step="take the lock"
exec 9>"${TMPDIR:-/tmp}/berth-testimages.lock"
flock 9

work=$(mktemp -d "${TMPDIR:-/tmp}/berth-testimages.XXXXXX")
trap 'rm -rf "$work"' EXIT

# fingerprint prints the hash of an image's inputs: this script, the image's
# name and settings (args before "--") and the files after "--" (by size and
# modification time: hashing node's 100 MB would cost more than the rest).
# The checkout's own path stays out, so a moved clone reuses its images.
fingerprint() {
	{
		cat "$self" "$here/install-packages.sh" | sha256sum
		while [ "$1" != "--" ]; do printf '%s\n' "$1"; shift; done
		shift
		stat -L -c '%n %s %Y' "$@"
	} | sha256sum | cut -d' ' -f1
}

# fresh reports whether image $1 exists with hash label $2.
fresh() {
	[ "$force" != "--force" ] &&
		[ "$(docker image inspect -f "{{ index .Config.Labels \"$label\" }}" "$1" 2>/dev/null)" = "$2" ]
}

# add_path copies host path $2 into root $1 at the same path. A symlink is
# copied as a symlink and its target follows, so library chains such as
# libc.so.6 -> libc-2.36.so and the loader's /lib64 link stay intact.
add_path() {
	local root=$1 p=$2 target
	[ -e "$root$p" ] || [ -L "$root$p" ] && return 0
	mkdir -p "$root$(dirname "$p")"
	if [ -L "$p" ]; then
		target=$(readlink "$p")
		ln -s "$target" "$root$p"
		case $target in
		/*) add_path "$root" "$target" ;;
		*) add_path "$root" "$(dirname "$p")/$target" ;;
		esac
	else
		cp -p "$p" "$root$p"
	fi
}

# add_binary copies executable $2 and every shared library ldd lists for it,
# the dynamic loader included.
add_binary() {
	local root=$1 bin=$2 lib
	add_path "$root" "$bin"
	for lib in $(ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'); do
		add_path "$root" "$lib"
	done
}

# base_rootfs lays out a merged-/usr tree (bin, sbin, lib, lib64 link into
# /usr as on Debian) with busybox and its applets, minimal account files and
# a sticky /tmp: the busybox image, and the floor of the other two.
base_rootfs() {
	local root=$1 applet
	mkdir -p "$root"/usr/{bin,sbin,lib,lib64} "$root"/{etc,tmp,root,proc,sys,dev,home}
	for d in bin sbin lib lib64; do ln -s "usr/$d" "$root/$d"; done
	chmod 1777 "$root/tmp"
	chmod 0700 "$root/root"
	cp -p "$busybox" "$root/usr/bin/busybox"
	for applet in $("$busybox" --list-full); do
		[ -e "$root/$applet" ] || ln -s /usr/bin/busybox "$root/$applet"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
	printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
}

# import loads root $2 as image $1 with hash $3 and the --change settings
# after it, then drops the image it replaces when nothing uses that one.
import() {
	local image=$1 root=$2 hash=$3 old
	shift 3
	local changes=(--change "LABEL $label=$hash" --change "ENV PATH=$path_env")
	for c in "$@"; do changes+=(--change "$c"); done
	old=$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)
	tar -C "$root" --numeric-owner --owner=0 --group=0 -c . |
		docker import "${changes[@]}" --message "berth offline test image" - "$image" >/dev/null
	if [ -n "$old" ] && [ "$old" != "$(docker image inspect -f '{{.Id}}' "$image")" ]; then
		docker image rm "$old" >/dev/null 2>&1 || true
	fi
}

# smoke runs command $3... in new image $1 (described as $2); a broken image
# is removed so the next run builds it again instead of trusting its label.
smoke() {
	local image=$1 what=$2 out
	shift 2
	if ! out=$(docker run --rm --network none "$image" "$@" 2>&1); then
		docker image rm "$image" >/dev/null 2>&1 || true
		say "$image: $what failed in the new image: $out" >&2
		return 1
	fi
	say "  $image: $what -> $(printf '%s' "$out" | head -n1)"
}

step="find busybox"
busybox=$(readlink -f /bin/busybox)
if ldd "$busybox" >/dev/null 2>&1; then
	say "$busybox is dynamically linked; busybox-static is needed" >&2
	exit 1
fi

build_busybox() {
	local hash
	hash=$(fingerprint busybox 'CMD ["sh"]' -- "$busybox")
	if fresh "$BUSYBOX_IMAGE" "$hash"; then
		say "$BUSYBOX_IMAGE: up to date"
		return
	fi
	say "$BUSYBOX_IMAGE: assembling a root filesystem from $busybox"
	base_rootfs "$work/busybox"
	say "$BUSYBOX_IMAGE: docker import"
	import "$BUSYBOX_IMAGE" "$work/busybox" "$hash" 'CMD ["sh"]'
	smoke "$BUSYBOX_IMAGE" "sh" sh -c 'echo ok'
}

step="busybox image"
build_busybox

# npm_trees prints the directories npm runs from: its own package tree
# (NodeSource's nodejs ships it in /usr/lib/node_modules/npm) and, for
# Debian's npm package, the shared module trees its pieces live in.
npm_trees() {
	local cli root d
	cli=$(readlink -f "$(command -v npm)")
	root=$(cd "$(dirname "$cli")/.." && pwd)
	printf '%s\n' "$root"
	case $root in
	/usr/share/nodejs/*)
		for d in /usr/share/nodejs /usr/lib/nodejs /usr/lib/x86_64-linux-gnu/nodejs /usr/share/javascript; do
			[ -d "$d" ] && printf '%s\n' "$d"
		done
		;;
	esac
}

# npm settings for a machine with no registry: `npm install` of a package
# with no dependencies then succeeds without a request, and nothing phones
# home for audits, funding or updates.
node_changes=(
	'CMD ["node"]'
	'ENV npm_config_offline=true'
	'ENV npm_config_audit=false'
	'ENV npm_config_fund=false'
	'ENV npm_config_update_notifier=false'
)

build_node() {
	local node npm npx hash root=$work/node tree
	node=$(command -v node)
	npm=$(command -v npm)
	npx=$(command -v npx || true)
	mapfile -t trees < <(npm_trees)
	hash=$(fingerprint node "${node_changes[@]}" -- "$busybox" "$node" "$(readlink -f "$node")" "$npm" "${trees[0]}/package.json")
	if fresh "$NODE_IMAGE" "$hash"; then
		say "$NODE_IMAGE: up to date"
		return
	fi
	say "$NODE_IMAGE: assembling busybox + $node and its libraries + npm from ${trees[*]}"
	base_rootfs "$root"
	add_binary "$root" "$(readlink -f "$node")"
	add_path "$root" "$node"
	for tree in "${trees[@]}"; do
		mkdir -p "$root$(dirname "$tree")"
		cp -a "$tree" "$root$tree"
	done
	add_path "$root" "$npm"
	[ -z "$npx" ] || add_path "$root" "$npx"
	say "$NODE_IMAGE: docker import"
	import "$NODE_IMAGE" "$root" "$hash" "${node_changes[@]}"
	smoke "$NODE_IMAGE" "node --version" node --version
	smoke "$NODE_IMAGE" "npm --version" npm --version
	smoke "$NODE_IMAGE" "offline npm install + npm start" sh -c 'mkdir /tmp/app && cd /tmp/app &&
		echo "{\"name\":\"t\",\"version\":\"1.0.0\",\"scripts\":{\"start\":\"node -e \\\"console.log(40+2)\\\"\"}}" >package.json &&
		npm install --no-progress >/dev/null && npm start --silent'
}

# The official redis image listens everywhere with protected mode off and
# keeps its data in /data; this one does the same, with an append-only file
# so the data survives a container's removal when /data is a volume.
redis_changes=(
	'CMD ["redis-server", "--protected-mode", "no", "--bind", "0.0.0.0", "--dir", "/data", "--appendonly", "yes"]'
	'WORKDIR /data'
	'EXPOSE 6379'
)

build_redis() {
	local server cli hash root=$work/redis
	server=$(command -v redis-server)
	cli=$(command -v redis-cli)
	hash=$(fingerprint redis "${redis_changes[@]}" -- "$busybox" "$server" "$(readlink -f "$server")" "$cli")
	if fresh "$REDIS_IMAGE" "$hash"; then
		say "$REDIS_IMAGE: up to date"
		return
	fi
	say "$REDIS_IMAGE: assembling busybox + $server, $cli and their libraries"
	base_rootfs "$root"
	add_binary "$root" "$(readlink -f "$server")"
	add_path "$root" "$server"
	add_binary "$root" "$(readlink -f "$cli")"
	add_path "$root" "$cli"
	mkdir -p "$root/data"
	say "$REDIS_IMAGE: docker import"
	import "$REDIS_IMAGE" "$root" "$hash" "${redis_changes[@]}"
	smoke "$REDIS_IMAGE" "redis-server --version" redis-server --version
	smoke "$REDIS_IMAGE" "redis-cli ping" sh -c 'redis-server --daemonize yes --dir /tmp >/dev/null &&
		for i in 1 2 3 4 5 6 7 8 9 10; do redis-cli ping 2>/dev/null && exit 0; sleep 0.2; done; exit 1'
}

step="node image"
build_node
step="redis image"
build_redis
say "done in ${SECONDS}s"
