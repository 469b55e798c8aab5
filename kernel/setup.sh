#!/usr/bin/env bash
# One-command setup for Netlink Lab: system packages, npm dependencies, native and C builds.
# Idempotent: when everything is in place it makes no apt call and finishes in seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

# What the lab needs from the system, by Debian package name.
PACKAGES=(
	qemu-system-x86 busybox-static cpio xz-utils zstd kmod iproute2 file
	make gcc g++ python3
	linux-image-amd64 linux-headers-amd64
	linux-image-6.12-amd64 linux-headers-6.12-amd64
	chromium fonts-wqy-microhei
)

say() { printf 'setup: %s\n' "$*"; }

missing_packages() {
	local p status
	for p in "${PACKAGES[@]}"; do
		status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		[ "$status" = "install ok installed" ] || printf '%s\n' "$p"
	done
}

install_system_packages() {
	if ! command -v apt-get >/dev/null || ! command -v dpkg-query >/dev/null; then
		say "this is not a Debian or Ubuntu system, so setup cannot install packages itself."
		say "install these yourself (names are Debian's), then run setup again:"
		say "  QEMU for x86-64, a static busybox, cpio, xz, zstd, kmod, iproute2, file, make, gcc, g++, python3,"
		say "  Linux 6.1 and 6.12 kernel images with their matching headers, chromium (for the site's browser tests)"
		exit 1
	fi
	mapfile -t missing < <(missing_packages)
	if [ "${#missing[@]}" -eq 0 ]; then
		say "system packages: all present"
		return
	fi
	local sudo=()
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null || { say "need root (or sudo) to install: ${missing[*]}"; exit 1; }
		sudo=(sudo)
	fi
	"${sudo[@]}" apt-get update -q
	# Install what this distribution has; name what it lacks (Ubuntu has no Debian kernel packages).
	local available=() unavailable=() p
	for p in "${missing[@]}"; do
		if apt-cache show "$p" >/dev/null 2>&1; then available+=("$p"); else unavailable+=("$p"); fi
	done
	if [ "${#available[@]}" -gt 0 ]; then
		say "installing with apt: ${available[*]}"
		DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${available[@]}"
	fi
	if [ "${#unavailable[@]}" -gt 0 ]; then
		say "this system's apt has no package named: ${unavailable[*]}"
		say "the lab needs a kernel image with its headers; on Ubuntu, install linux-image-generic and"
		say "linux-headers-generic and grade with --kernel host, or pass any image with --kernel /boot/vmlinuz-…"
		exit 1
	fi
}

install_npm() {
	# npm ci only when the lock file changed since the last install.
	if [ -f node_modules/.package-lock.json ] && [ node_modules/.package-lock.json -nt package-lock.json ] &&
		compgen -G "client/build/Release/*.node" >/dev/null; then
		say "npm dependencies: up to date"
	else
		say "installing npm dependencies (and building the netlink addon)"
		npm ci --no-audit --no-fund
	fi
}

install_system_packages
install_npm
say "compiling TypeScript and bundling the client"
npm run -s build
if [ -f client/bench/Makefile ]; then
	make -s -C client/bench
fi
say "done. Check the lab with: npm run lab -- doctor"
