#!/usr/bin/env bash
# One-command setup for Netlink Lab: system packages, npm dependencies, native and C builds.
# Idempotent: when everything is in place it makes no apt call and finishes in seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

# What the lab needs from the system, by Debian package name.
PACKAGES=(
	qemu-system-x86 busybox-static cpio xz-utils zstd kmod iproute2 file
	make gcc g++ python3
	linux-source-6.12 python3-yaml python3-jsonschema
	linux-image-amd64 linux-headers-amd64
	linux-image-6.12-amd64 linux-headers-6.12-amd64
	chromium fonts-wqy-microhei
	sparse
	tshark
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
		say "  python3-yaml, python3-jsonschema, the Linux 6.12 source tarball (lesson 12's YNL tools),"
		say "  Linux 6.1 and 6.12 kernel images with their matching headers, chromium (for the site's browser tests),"
		say "  sparse (the style report's static checker), tshark (grade --pcap and its peer test)"
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
		# wireshark-common asks whether non-root users may capture; the lab captures only in its guest.
		echo "wireshark-common wireshark-common/install-setuid boolean false" | "${sudo[@]}" debconf-set-selections 2>/dev/null || true
		DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${available[@]}"
	fi
	if [ "${#unavailable[@]}" -gt 0 ]; then
		say "this system's apt has no package named: ${unavailable[*]}"
		say "the lab needs a kernel image with its headers; on Ubuntu, install linux-image-generic and"
		say "linux-headers-generic and grade with --kernel host, or pass any image with --kernel /boot/vmlinuz-…"
		exit 1
	fi
}

# Lesson 12 runs the kernel's own YNL client (tools/net/ynl) and validates specs against
# Documentation/netlink/. Only those two folders are taken from the kernel source tarball.
YNL_TARBALL=/usr/src/linux-source-6.12.tar.xz
YNL_DIR="${NETLINK_LAB_STATE:-.lab}/ynl"

extract_ynl() {
	if [ -f "$YNL_DIR/tools/net/ynl/cli.py" ] && [ -f "$YNL_DIR/Documentation/netlink/genetlink.yaml" ]; then
		say "kernel YNL tools: present in $YNL_DIR"
		return
	fi
	if [ ! -f "$YNL_TARBALL" ]; then
		say "no $YNL_TARBALL (package linux-source-6.12): lesson 12 cannot run the kernel's YNL client"
		return
	fi
	say "extracting tools/net/ynl and Documentation/netlink from $YNL_TARBALL (about 15 s)"
	local tmp="$YNL_DIR.tmp.$$"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	tar -xJf "$YNL_TARBALL" -C "$tmp" --strip-components=1 \
		linux-source-6.12/tools/net/ynl linux-source-6.12/Documentation/netlink
	rm -rf "$YNL_DIR"
	mv "$tmp" "$YNL_DIR"
}

# The style report runs the kernel's checkpatch.pl, which needs only these files beside it.
CHECKPATCH_DIR="${NETLINK_LAB_STATE:-.lab}/checkpatch"
CHECKPATCH_FILES=(scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch)

extract_checkpatch() {
	local f missing=0
	for f in "${CHECKPATCH_FILES[@]}"; do [ -f "$CHECKPATCH_DIR/$f" ] || missing=1; done
	if [ "$missing" -eq 0 ]; then
		say "checkpatch.pl: present in $CHECKPATCH_DIR"
		return
	fi
	if [ ! -f "$YNL_TARBALL" ]; then
		say "no $YNL_TARBALL (package linux-source-6.12): the grade's style report will skip checkpatch"
		return
	fi
	say "extracting checkpatch.pl and its word lists from $YNL_TARBALL (about 20 s)"
	local tmp="$CHECKPATCH_DIR.tmp.$$"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	tar -xJf "$YNL_TARBALL" -C "$tmp" --strip-components=1 "${CHECKPATCH_FILES[@]/#/linux-source-6.12/}"
	rm -rf "$CHECKPATCH_DIR"
	mv "$tmp" "$CHECKPATCH_DIR"
}

install_npm() {
	# npm ci only when the lock file changed since the last install.
	if [ -f node_modules/.package-lock.json ] && [ node_modules/.package-lock.json -nt package-lock.json ] &&
		compgen -G "client/build/Release/*.node" >/dev/null; then
		say "npm dependencies: up to date"
		# npm ci builds the addon; a changed netlink.cc (a pull, a merge) needs a rebuild of its own.
		if [ client/native/netlink.cc -nt client/build/Release/netlink.node ]; then
			say "rebuilding the netlink addon: client/native/netlink.cc changed"
			npm run -s install
		fi
	else
		say "installing npm dependencies (and building the netlink addon)"
		npm ci --no-audit --no-fund
	fi
}

install_system_packages
# The two extractions (each an xz pass over the source tarball, one core apiece) overlap npm ci.
extract_ynl & ynl_job=$!
extract_checkpatch & checkpatch_job=$!
install_npm
wait "$ynl_job"
wait "$checkpatch_job"
say "compiling TypeScript and bundling the client"
npm run -s build
if [ -f client/bench/Makefile ]; then
	make -s -C client/bench
fi
say "done. Check the lab with: npm run lab -- doctor"
