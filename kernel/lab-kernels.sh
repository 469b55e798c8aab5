#!/usr/bin/env bash
# The lab's kernels as files, not host kernels: Debian's kernel image, headers and kbuild
# packages are fetched with `apt-get download` and unpacked with `dpkg-deb -x` into
# .lab/kernels/<release>/, a root of their own (boot/, lib/modules/, usr/src/, usr/lib/).
# Nothing is installed: no bootloader entry, no host initramfs, /boot and /lib/modules as they were.
#
# Sourced by setup.sh; `bash kernel/lab-kernels.sh plan|fetch` runs one step on its own.
# Environment: NETLINK_LAB_KERNELS, where the trees go (default $NETLINK_LAB_STATE/kernels, else .lab/kernels);
# LAB_APT_OPTS, extra options for apt-cache and apt-get (a test points them at another source list).

LAB_KERNELS_DIR="${NETLINK_LAB_KERNELS:-${NETLINK_LAB_STATE:-.lab}/kernels}"
read -r -a LAB_APT_OPTS <<<"${LAB_APT_OPTS:-}"

# The lab's kernels, the releases each selector matches, and the metapackages that point at them.
# Debian 12 has both (linux-image-amd64 is 6.1 there); Debian 13's linux-image-amd64 is 6.12.
LAB_KERNEL_SELECTORS=(6.1 6.12)
declare -A LAB_KERNEL_PATTERN=([6.1]='^6\.1\.[0-9]+-[0-9]+-amd64$' [6.12]='^6\.12\.[0-9]+.*-amd64$')
LAB_KERNEL_METAPACKAGES=(linux-image-amd64 linux-image-6.12-amd64 linux-image-6.1-amd64)

lk_say() { printf 'setup: %s\n' "$*"; }

lk_apt_cache() { apt-cache "${LAB_APT_OPTS[@]}" "$@"; }

# "package dependency" lines for the given packages (the first of each alternative too), with no
# versions. One apt-cache call for all: each call loads the whole package cache (seconds under load).
lk_depends() {
	lk_apt_cache depends --important "$@" 2>/dev/null | awk '
		/^[^ ]/ { pkg = $1; next }
		match($0, /^ *[|]?(Pre)?Depends: /) { dep = substr($0, RLENGTH + 1); if (dep !~ /^</) print pkg, dep }'
}

# "selector release" for every lab kernel this system's apt offers, the first metapackage first.
lk_resolve() {
	local meta rel sel
	declare -A seen=()
	while read -r meta rel; do
		[[ "$rel" == linux-image-* ]] || continue
		rel="${rel#linux-image-}"
		rel="${rel%-unsigned}"
		for sel in "${LAB_KERNEL_SELECTORS[@]}"; do
			if [[ -z "${seen[$sel]:-}" && "$rel" =~ ${LAB_KERNEL_PATTERN[$sel]} ]]; then
				seen[$sel]=1
				printf '%s %s\n' "$sel" "$rel"
			fi
		done
	done < <(lk_depends "${LAB_KERNEL_METAPACKAGES[@]}")
}

# The plan, one fact a line:
#   kernel <selector> <release>
#   package <release> <package> <file name of the candidate .deb>
#   builddep <package>     what building against the unpacked headers needs on the host, as an
#                          ordinary package: the compiler they name (gcc-12, on 6.1 through
#                          linux-compiler-gcc-12-x86) and what kbuild's programs link (libelf1, libssl3, …)
lk_make_plan() {
	local sel rel pkg dep rels=() pkgs=() builders=() compilers=()
	while read -r sel rel; do
		printf 'kernel %s %s\n' "$sel" "$rel"
		rels+=("$rel")
	done < <(lk_resolve)
	[ "${#rels[@]}" -gt 0 ] || return 0
	for rel in "${rels[@]}"; do pkgs+=("$rel linux-image-$rel" "$rel linux-headers-$rel"); done
	while read -r pkg dep; do
		[[ "$dep" =~ ^linux-(headers-.*-common|kbuild-) ]] && pkgs+=("${pkg#linux-headers-} $dep")
	done < <(lk_depends "${rels[@]/#/linux-headers-}")
	declare -A file=()
	while read -r pkg dep; do file[$pkg]=$dep; done < <(
		lk_apt_cache show --no-all-versions "${pkgs[@]#* }" 2>/dev/null |
			awk '/^Package: / { p = $2 } /^Filename: / { n = split($2, a, "/"); print p, a[n] }')
	for pkg in "${pkgs[@]}"; do
		printf 'package %s %s\n' "$pkg" "${file[${pkg#* }]:-}"
		[[ "${pkg#* }" =~ ^linux-(headers-.*-amd64|kbuild-) ]] && builders+=("${pkg#* }")
	done
	{
		while read -r pkg dep; do
			case "$dep" in
				linux-compiler-*) compilers+=("$dep") ;;
				linux-image-* | linux-headers-* | linux-kbuild-* | linux-base) ;;
				*) printf '%s\n' "$dep" ;;
			esac
		done < <(lk_depends "${builders[@]}")
		if [ "${#compilers[@]}" -gt 0 ]; then lk_depends "${compilers[@]}" | awk '{ print $2 }'; fi
	} | sort -u | sed 's/^/builddep /'
}

# Where apt keeps its package lists (LAB_APT_OPTS may move them).
lab_apt_lists() {
	local d
	d=$(apt-config "${LAB_APT_OPTS[@]}" shell d Dir::State::lists/d 2>/dev/null | sed -n "s/^d='\(.*\)'$/\1/p")
	d=${d:-/var/lib/apt/lists}
	printf '%s/\n' "${d%/}"
}

# The plan, made again only when apt's package lists (or LAB_APT_OPTS) changed since the last one.
LK_PLAN="$LAB_KERNELS_DIR/plan"
lab_kernels_plan() {
	if [ -f "$LK_PLAN" ] && [ "$(head -1 "$LK_PLAN")" = "# apt options: ${LAB_APT_OPTS[*]}" ] &&
		[ -z "$(find "$(lab_apt_lists)" -maxdepth 1 -name '*Packages*' -newer "$LK_PLAN" 2>/dev/null | head -1)" ]; then
		cat "$LK_PLAN"
		return
	fi
	mkdir -p "$LAB_KERNELS_DIR"
	{ printf '# apt options: %s\n' "${LAB_APT_OPTS[*]}"; lk_make_plan; } >"$LK_PLAN.tmp.$$"
	mv "$LK_PLAN.tmp.$$" "$LK_PLAN"
	cat "$LK_PLAN"
}

# The packages setup installs for building modules: the Debian kernels' build dependencies, or,
# with no Debian kernel at all, the running kernel's headers if the system lacks them.
lab_kernels_build_deps() {
	local plan sel
	plan=$(lab_kernels_plan)
	awk '$1 == "builddep" { print $2 }' <<<"$plan"
	grep -q '^kernel ' <<<"$plan" && return 0
	for sel in "${LAB_KERNEL_SELECTORS[@]}"; do [ -z "$(lk_unpacked "$sel")" ] || return 0; done
	lab_kernels_host_headers
}

lk_release_dir() { printf '%s/%s\n' "$LAB_KERNELS_DIR" "$1"; }

# The .deb file names <release> is made of, sorted: also the stamp of its unpacked tree.
lk_files() { awk -v r="$2" '$1 == "package" && $2 == r { print $4 }' <<<"$1" | sort; }

# Absolute symlinks (lib/modules/<rel>/build -> /usr/src/…) are pointed inside the tree, and the
# headers' Makefile includes its -common half relative to itself instead of from /usr/src.
lk_fix_paths() {
	local root=$1 rel=$2 link target mk
	while IFS= read -r link; do
		target=$(readlink "$link")
		[ -e "$root$target" ] || continue
		ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$root$target")" "$link"
	done < <(find "$root" -type l -lname '/*')
	mk="$root/usr/src/linux-headers-$rel/Makefile"
	# shellcheck disable=SC2016 # make's $(…), not the shell's
	[ -f "$mk" ] && sed -i 's|^include /usr/src/\(.*\)$|include $(dir $(lastword $(MAKEFILE_LIST)))../\1|' "$mk"
	# Packages that put modules in usr/lib/modules: the lab, and depmod -b, look in lib/modules.
	if [ ! -e "$root/lib" ] && [ -d "$root/usr/lib/modules" ]; then ln -s usr/lib "$root/lib"; fi
}

# Downloads <release>'s packages and unpacks them into $LAB_KERNELS_DIR/<release>.
lk_fetch() {
	local rel=$1 files=$2 dir tmp debs pkgs=() as_root=() f
	dir=$(lk_release_dir "$rel")
	mapfile -t pkgs < <(sed 's/_.*//' <<<"$files")
	debs="$LAB_KERNELS_DIR/.debs.$rel.$$"
	rm -rf "$debs"
	mkdir -p "$debs"
	# As root apt would try to drop to its _apt user, which cannot write here.
	[ "$(id -u)" -eq 0 ] && as_root=(-o APT::Sandbox::User=root)
	if ! (cd "$debs" && apt-get "${LAB_APT_OPTS[@]}" "${as_root[@]}" download -q "${pkgs[@]}" >download.log 2>&1); then
		sed 's/^/setup:   /' "$debs/download.log"
		rm -rf "$debs"
		return 1
	fi
	tmp="$dir.tmp.$$"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	for f in "$debs"/*.deb; do
		dpkg-deb -x "$f" "$tmp" || { rm -rf "$debs" "$tmp"; return 1; }
	done
	# The .debs go: the stamp keeps their names, and a changed one is downloaded again.
	rm -rf "$debs" "$tmp/usr/share/doc"
	lk_fix_paths "$tmp" "$rel"
	# What the package's postinst would do: modprobe in the guest reads modules.dep.bin.
	"$(command -v depmod || echo /usr/sbin/depmod)" -b "$tmp" "$rel" || { rm -rf "$tmp"; return 1; }
	printf '%s\n' "$files" >"$tmp/.lab-unpacked"
	rm -rf "$dir"
	mv "$tmp" "$dir"
}

# Releases already unpacked for a selector, newest first.
lk_unpacked() {
	local sel=$1 d rel
	for d in "$LAB_KERNELS_DIR"/*/.lab-unpacked; do
		[ -f "$d" ] || continue
		rel=$(basename "$(dirname "$d")")
		if [[ "$rel" =~ ${LAB_KERNEL_PATTERN[$sel]} ]]; then printf '%s\n' "$rel"; fi
	done | sort -rV
}

# Why there is no kernel for a selector, for doctor to show.
lk_note_missing() { printf '%s\n' "$2" >"$LAB_KERNELS_DIR/missing-$1"; }

# Fetches every lab kernel apt offers and names those it cannot have, with what still works.
# Takes no apt call and no download when every tree's stamp matches the plan. Fails when a
# download or an unpacking did (a kernel the archive lacks is not a failure).
lab_kernels_fetch() {
	local plan sel rel files have=() lacking=() pids=() jobs=() i old failed=0
	plan=$(lab_kernels_plan)
	mkdir -p "$LAB_KERNELS_DIR"
	for sel in "${LAB_KERNEL_SELECTORS[@]}"; do
		rel=$(awk -v s="$sel" '$1 == "kernel" && $2 == s { print $3 }' <<<"$plan")
		if [ -z "$rel" ]; then
			rel=$(lk_unpacked "$sel" | head -1)
			if [ -n "$rel" ]; then
				lk_say "kernel $sel: apt offers none now; keeping $(lk_release_dir "$rel")"
				have+=("$sel")
			else
				lk_note_missing "$sel" "this system's apt has no Debian $sel kernel (looked at ${LAB_KERNEL_METAPACKAGES[*]})"
				lacking+=("$sel")
			fi
			continue
		fi
		rm -f "$LAB_KERNELS_DIR/missing-$sel"
		files=$(lk_files "$plan" "$rel")
		if [ -f "$(lk_release_dir "$rel")/.lab-unpacked" ] && [ "$(cat "$(lk_release_dir "$rel")/.lab-unpacked")" = "$files" ]; then
			lk_say "kernel $sel: $rel, unpacked in $(lk_release_dir "$rel")"
			have+=("$sel")
			continue
		fi
		lk_say "kernel $sel: downloading $rel and unpacking it into $(lk_release_dir "$rel") (not installed on this system)"
		lk_fetch "$rel" "$files" & pids+=($!)
		jobs+=("$sel $rel")
	done
	for i in "${!pids[@]}"; do
		read -r sel rel <<<"${jobs[$i]}"
		if wait "${pids[$i]}"; then
			lk_say "kernel $sel: $rel unpacked"
			have+=("$sel")
			while read -r old; do
				[ "$old" = "$rel" ] || rm -rf "$(lk_release_dir "$old")"
			done < <(lk_unpacked "$sel")
		else
			lk_note_missing "$sel" "setup could not download or unpack $rel (its output says why)"
			lacking+=("$sel")
			failed=1
		fi
	done
	for sel in "${lacking[@]}"; do lk_say "kernel $sel: $(cat "$LAB_KERNELS_DIR/missing-$sel")"; done
	if [ "${#lacking[@]}" -gt 0 ]; then
		if [ "${#have[@]}" -gt 0 ]; then
			lk_say "the lab grades with kernel ${have[*]}; --kernel ${lacking[*]} and the tests that need it are skipped"
		elif lk_host_kernel; then
			lk_say "no Debian kernel for the lab: it grades with the running kernel ($(lk_host_release), --kernel host, the default)"
		else
			lk_say "no Debian kernel for the lab, and the running kernel cannot serve: grade with --kernel /path/to/vmlinuz"
		fi
	fi
	return "$failed"
}

# The running kernel's release; NETLINK_LAB_HOST_RELEASE stands in for it in tests.
lk_host_release() { printf '%s\n' "${NETLINK_LAB_HOST_RELEASE:-$(uname -r)}"; }

# Reads a file that may be root's only (Ubuntu's /boot/vmlinuz-* is mode 0600), with sudo then.
lk_read_file() {
	if [ -r "$1" ]; then cat "$1"; elif [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then sudo cat "$1"; else return 1; fi
}

# Ubuntu and other systems without Debian's kernels: the running kernel. Its image is copied
# into .lab/kernels/host/<release>/boot, readable without root from then on; its modules stay
# in /lib/modules/<release>, and its headers are the system's (setup installs
# linux-headers-<release> with apt when they are missing: lab_kernels_host_headers).
lk_host_kernel() {
	local rel dir tmp
	rel=$(lk_host_release)
	dir="$LAB_KERNELS_DIR/host/$rel"
	if [ -f "$dir/.lab-unpacked" ]; then return 0; fi
	if [ ! -e "/boot/vmlinuz-$rel" ] || [ ! -d "/lib/modules/$rel" ]; then
		lk_say "the running kernel $rel has no /boot/vmlinuz-$rel or no /lib/modules/$rel"
		return 1
	fi
	tmp="$dir.tmp.$$"
	rm -rf "$tmp"
	mkdir -p "$tmp/boot"
	if ! lk_read_file "/boot/vmlinuz-$rel" >"$tmp/boot/vmlinuz-$rel"; then
		lk_say "cannot read /boot/vmlinuz-$rel (run setup with sudo available)"
		rm -rf "$tmp"
		return 1
	fi
	# The config tells the grader which memory checks the kernel has built in.
	lk_read_file "/boot/config-$rel" >"$tmp/boot/config-$rel" 2>/dev/null || rm -f "$tmp/boot/config-$rel"
	printf 'copied from /boot/vmlinuz-%s\n' "$rel" >"$tmp/.lab-unpacked"
	rm -rf "$dir"
	mv "$tmp" "$dir"
	lk_say "kernel host: copied /boot/vmlinuz-$rel into $dir; modules from /lib/modules/$rel"
}

# The headers package setup installs for the running kernel when the lab has no Debian kernel
# and the system has no headers for it (an ordinary package; the image stays as it was).
lab_kernels_host_headers() {
	local rel
	rel=$(lk_host_release)
	[ -e "/lib/modules/$rel/build/Makefile" ] || [ -e "/usr/src/linux-headers-$rel/Makefile" ] && return 0
	lk_apt_cache show "linux-headers-$rel" >/dev/null 2>&1 && printf 'linux-headers-%s\n' "$rel"
	return 0
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -euo pipefail
	case "${1:-}" in
		plan) lab_kernels_plan ;;
		fetch) lab_kernels_fetch ;;
		*) echo "usage: $0 plan|fetch" >&2; exit 2 ;;
	esac
fi
