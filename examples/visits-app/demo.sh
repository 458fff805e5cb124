#!/usr/bin/env bash
# The README demo, run by `make demo` and `make demo-down`.
#
#   demo.sh up     pull the images (offline ones when no registry answers),
#                  `berth up -d --build --wait`, ask the app
#                  three times and show the counter rising, `berth ps`
#   demo.sh down   `berth down` (the named volume stays: the count survives;
#                  `berth down -v` in this directory resets it)
#
# BERTH_BIN names the berth binary (default: bin/berth of this checkout).
# Every step says what it does; a failure names the step and why.
set -eEuo pipefail

cd "$(dirname "$0")"
root=$(cd ../.. && pwd)
berth=${BERTH_BIN:-$root/bin/berth}
url=http://127.0.0.1:4001/
env_mark='# written by demo.sh'

step=start
say() { printf 'demo: %s\n' "$*"; }
trap 'say "FAILED at step \"$step\" (\`$BASH_COMMAND\` exited $?)" >&2' ERR
die() {
	say "FAILED at step \"$step\": $*" >&2
	exit 1
}

begin() {
	step=$1
	say "== $step"
}

# have_image reports whether the engine holds image $1.
have_image() { docker image inspect "$1" >/dev/null 2>&1; }

# choose_images pulls the public images (redis with `berth pull`, the
# node:alpine the web image builds FROM with the engine) and, only when a
# pull fails (no registry reachable), writes a .env pointing compose.yaml at
# berth's offline images, building them when missing. It says which path
# ran. A .env the user wrote is left alone.
choose_images() {
	if [ -f .env ] && ! grep -qx "$env_mark" .env; then
		say "using your .env: $(tr '\n' ' ' <.env)"
		return
	fi
	rm -f .env
	say "pulling the public images redis and node:alpine"
	if "$berth" pull redis-server && docker pull -q node:alpine; then
		say "path: public images (pulled redis and node:alpine from the registry)"
		return
	fi
	say "path: offline images (the pull failed: no registry reachable?)"
	if ! have_image berth-test/redis:latest || ! have_image berth-test/node:latest; then
		say "building them with internal/testimages/build-images.sh"
		"$root/internal/testimages/build-images.sh"
	fi
	printf '%s\nREDIS_IMAGE=berth-test/redis:latest\nNODE_IMAGE=berth-test/node:latest\n' "$env_mark" >.env
	say "wrote .env: REDIS_IMAGE=berth-test/redis:latest NODE_IMAGE=berth-test/node:latest"
}

# get prints the body at $1 with whichever client this machine has.
get() {
	if command -v curl >/dev/null; then
		curl -fsS --max-time 5 "$1"
	elif command -v wget >/dev/null; then
		wget -qO- -T 5 "$1"
	else
		node -e 'require("http").get(process.argv[1], r => { if (r.statusCode !== 200) process.exit(1); r.pipe(process.stdout); }).on("error", () => process.exit(1))' "$1"
	fi
}

# visit asks the app once; the first time it allows the server up to 30
# seconds to listen: --wait returns when the container runs, and npm plus
# node take a moment more before the port answers.
visit() {
	local tries=${1:-1} body
	for ((i = 1; i <= tries; i++)); do
		if body=$(get "$url" 2>/dev/null); then
			say "GET $url -> $body"
			return 0
		fi
		sleep 0.5
	done
	say "GET $url failed; the app's logs: $berth logs node-app" >&2
	get "$url"
}

up() {
	begin "check berth: $berth"
	[ -x "$berth" ] || die "$berth is missing: run make build"
	begin "check the Docker Engine"
	docker version --format 'engine {{.Server.Version}} (API {{.Server.APIVersion}})'
	begin "choose the images"
	choose_images
	begin "berth up -d --build --wait"
	"$berth" up -d --build --wait
	begin "ask $url three times"
	visit 60
	visit
	visit
	begin "berth ps"
	"$berth" ps
	say "done: open $url; take it down with make demo-down"
}

down() {
	begin "check berth: $berth"
	[ -x "$berth" ] || die "$berth is missing: run make build"
	begin "berth down"
	"$berth" down
	say "done (the count is kept in the volume; 'berth down -v' here resets it)"
}

case ${1:-} in
up) up ;;
down) down ;;
*)
	echo "usage: $0 up|down" >&2
	exit 2
	;;
esac
