#!/usr/bin/env bash
# One-command setup for Netlink Lab: system packages, the lab's kernels (unpacked into .lab/,
# never installed), npm dependencies, native and C builds.
# Idempotent: when everything is in place it makes no apt call and finishes in seconds.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=kernel/lab-kernels.sh
source kernel/lab-kernels.sh

# What the lab needs installed on the system, by Debian package name. No kernel among them: the
# lab's kernels are files under .lab/kernels (lab-kernels.sh), and what building modules against
# them needs (gcc-12, libelf1, …) is added from their packages' dependencies.
PACKAGES=(
	qemu-system-x86 busybox-static cpio xz-utils zstd kmod iproute2 file
	make gcc g++ python3
	linux-source-6.12 python3-yaml python3-jsonschema
	chromium fonts-wqy-microhei
	sparse
	tshark
	python3-pyroute2
)

say() { printf 'setup: %s\n' "$*"; }

LAB_DIR="${NETLINK_LAB_STATE:-.lab}"

SUDO=()
as_root() {
	if [ "$(id -u)" -ne 0 ] && [ "${#SUDO[@]}" -eq 0 ]; then
		command -v sudo >/dev/null || { say "need root (or sudo) to $*"; exit 1; }
		SUDO=(sudo)
	fi
}

APT_UPDATED=0
apt_update() {
	as_root "update apt's package lists"
	"${SUDO[@]}" apt-get "${LAB_APT_OPTS[@]}" update -q
	APT_UPDATED=1
}

# The lab's packages and the kernels' build dependencies that are not installed.
missing_packages() {
	local p status builddeps
	mapfile -t builddeps < <(lab_kernels_build_deps)
	for p in "${PACKAGES[@]}" "${builddeps[@]}"; do
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
		say "  chromium (for the site's browser tests),"
		say "  sparse (the style report's static checker), tshark (grade --pcap and its peer test),"
		say "  python3-pyroute2 (lesson 16's spec-less peer)"
		say "  and, for each lab kernel (Linux 6.1 and 6.12), its image with its matching headers: --kernel /path/to/vmlinuz"
		exit 1
	fi
	# A machine that never ran apt-get update (a fresh container or debootstrap root) has no
	# lists to find the lab's kernels in.
	if ! compgen -G "$(lab_apt_lists)*Packages*" >/dev/null; then apt_update; fi
	local missing
	mapfile -t missing < <(missing_packages)
	if [ "${#missing[@]}" -eq 0 ]; then
		say "system packages: all present"
		return
	fi
	# Something is to be installed: the lists are brought up to date first, and what is missing
	# resolved again from them, since the kernels' build dependencies (gcc-14 on Debian 13, …)
	# come from the lists, which may be stale or not name this system's archive at all.
	if [ "$APT_UPDATED" -eq 0 ]; then
		apt_update
		mapfile -t missing < <(missing_packages)
	fi
	local sudo=("${SUDO[@]}")
	# Install what this distribution has; name what it lacks.
	local available=() unavailable=() p
	for p in "${missing[@]}"; do
		if apt-cache show "$p" >/dev/null 2>&1; then available+=("$p"); else unavailable+=("$p"); fi
	done
	if [ "${#available[@]}" -gt 0 ]; then
		say "installing with apt: ${available[*]}"
		# wireshark-common asks whether non-root users may capture; the lab captures only in its guest.
		echo "wireshark-common wireshark-common/install-setuid boolean false" | "${sudo[@]}" debconf-set-selections 2>/dev/null || true
		# Through env: sudo resets the environment, and debconf would ask its questions after all.
		"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${available[@]}"
		# What setup installed (not what was there before), for the README's removal step.
		mkdir -p "$LAB_DIR"
		printf '%s\n' "${available[@]}" >>"$LAB_DIR/apt-installed"
	fi
	if [ "${#unavailable[@]}" -gt 0 ]; then
		say "this system's apt has no package named: ${unavailable[*]}"
		exit 1
	fi
}

# The lab's kernels, downloaded and unpacked into .lab/kernels; once more after apt-get update
# when a download failed (stale lists name a package version the archive no longer has).
fetch_kernels() {
	command -v apt-get >/dev/null || return 0
	lab_kernels_fetch && return 0
	[ "$APT_UPDATED" -eq 0 ] || return 0
	say "updating apt's lists and trying the kernels again"
	apt_update
	lab_kernels_fetch || true
}

# Unpacks PATHS (kernel tree paths) from the linux-source TARBALL into DIR unless DIR has them
# all. DIR is replaced whole, so a half-done extraction never looks complete. WHAT names the
# files in setup's output; LACKING says what goes without them when there is no tarball.
extract_once() {
	local what=$1 tarball=$2 dir=$3 lacking=$4 p missing=0
	shift 4
	for p in "$@"; do [ -e "$dir/$p" ] || missing=1; done
	if [ "$missing" -eq 0 ]; then
		say "$what: present in $dir"
		return
	fi
	if [ ! -f "$tarball" ]; then
		say "no $tarball (package linux-source-6.12): $lacking"
		return
	fi
	say "extracting $what from $tarball (about 20 s)"
	local tmp="$dir.tmp.$$"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	tar -xJf "$tarball" -C "$tmp" --strip-components=1 "${@/#/linux-source-6.12/}"
	rm -rf "$dir"
	mv "$tmp" "$dir"
}

# Lesson 12 runs the kernel's own YNL client (tools/net/ynl) and validates specs against
# Documentation/netlink/. Only those two folders are taken from the kernel source tarball.
YNL_TARBALL=/usr/src/linux-source-6.12.tar.xz
YNL_DIR="${NETLINK_LAB_STATE:-.lab}/ynl"

extract_ynl() {
	extract_once "kernel YNL tools" "$YNL_TARBALL" "$YNL_DIR" \
		"lesson 12 cannot run the kernel's YNL client" tools/net/ynl Documentation/netlink
}

# The style report and the review gates run the kernel's checkpatch.pl, which needs only these
# files beside it, and kernel-doc, which needs none.
CHECKPATCH_DIR="${NETLINK_LAB_STATE:-.lab}/checkpatch"
CHECKPATCH_FILES=(scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch scripts/kernel-doc)

extract_checkpatch() {
	extract_once "checkpatch.pl, its word lists and kernel-doc" "$YNL_TARBALL" "$CHECKPATCH_DIR" \
		"the grade's style report will skip checkpatch, and the checkpatch and kernel-doc gates cannot run" "${CHECKPATCH_FILES[@]}"
}

# The kernel sources the lesson pages and TODOs cite (docs/start/setup.md#kernel-sources),
# unpacked for reading: the netlink core, the attribute parser, the headers they name (also in
# each kernel's header tree, but here beside the .c files), the netlink documentation, and what
# the reference page on sending a family upstream cites (the process documents, MAINTAINERS, a
# generated family), and the upstream family lesson pages compare generated files with (netdev).
# About 2 MB. kernel/test/setup.test.ts fails when a page cites a file outside these paths.
SOURCES_TARBALL="${NETLINK_LAB_SOURCE_TARBALL:-$YNL_TARBALL}"
SOURCES_DIR="${NETLINK_LAB_STATE:-.lab}/linux-source"
SOURCE_PATHS=(
	net/netlink lib/nlattr.c
	include/net/netlink.h include/net/genetlink.h include/linux/netlink.h
	include/uapi/linux/netlink.h include/uapi/linux/genetlink.h
	include/net/netns/generic.h include/net/net_namespace.h include/net/sock.h include/linux/lockdep.h
	Documentation/userspace-api/netlink Documentation/core-api/netlink.rst
	Documentation/process/submitting-patches.rst Documentation/process/maintainer-netdev.rst
	Documentation/process/5.Posting.rst Documentation/dev-tools/checkpatch.rst
	Documentation/dev-tools/sparse.rst Documentation/doc-guide/kernel-doc.rst
	MAINTAINERS scripts/get_maintainer.pl
	net/handshake include/uapi/linux/handshake.h
	include/uapi/linux/netdev.h net/core/netdev-genl-gen.c net/core/netdev-genl-gen.h net/core/Makefile
)

extract_sources() {
	extract_once "the netlink sources the lessons cite" "$SOURCES_TARBALL" "$SOURCES_DIR" \
		"the pages' kernel sources are not unpacked" "${SOURCE_PATHS[@]}"
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

# The Node.js package.json's engines names (">=20.5"): Debian 12's own nodejs is 18.
check_node() {
	local want have
	want=$(sed -n 's/^ *"node": *">=\([0-9.]*\)".*/\1/p' package.json)
	have=$(node --version 2>/dev/null) || have=none
	if [ "$(printf '%s\n' "$want" "${have#v}" | sort -V | head -1)" != "$want" ] || [ "$have" = none ]; then
		say "the lab needs Node.js $want or newer; this system's node is $have."
		say "Debian 13: sudo apt-get install nodejs npm. Debian 12 and Ubuntu 24.04 ship 18: take Node.js 20 or newer from nodejs.org or NodeSource."
		exit 1
	fi
}

main() {
	check_node
	install_system_packages
	# The kernels' download and unpacking and the three extractions (each an xz pass over the source
	# tarball, one core apiece) overlap npm ci.
	fetch_kernels & kernels_job=$!
	extract_ynl & ynl_job=$!
	extract_checkpatch & checkpatch_job=$!
	extract_sources & sources_job=$!
	install_npm
	wait "$ynl_job"
	wait "$checkpatch_job"
	wait "$sources_job"
	wait "$kernels_job"
	say "compiling TypeScript and bundling the client"
	npm run -s build
	if [ -f client/bench/Makefile ]; then
		make -s -C client/bench
	fi
	say "done. Check the lab with: npm run lab -- doctor"
}

# Sourced by a test, setup defines its steps and runs none.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then main; fi
