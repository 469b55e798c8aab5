#!/usr/bin/env bash
# The README's quick start on a fresh Debian 13 ("trixie"), as a new user would run it:
# debootstrap a root (unless ROOT already holds one that this script has not used), install
# git, nodejs and npm there from trixie's own archive, clone this repository's HEAD into a
# user's home and run the `<!-- ci:main -->` command of README.md as that user (sudo for apt).
# It asserts: setup finished; it named the kernel the archive lacks (6.1) and graded with 6.12;
# the grade printed a score equal to the points of lesson 3's checks that name no TODO (what a
# starter earns); a second setup made no apt-get or apt-cache call; /boot and /lib/modules are as
# debootstrap left them and no linux-image package is installed.
#
#   sudo bash kernel/test/trixie-root.sh ROOT          (ROOT: a new directory, or a fresh root)
#   sudo REV=<commit> MIRROR=http://… TRIXIE_VITEST='kernel/test -t "…"' [TRIXIE_VITEST_USER=root] \
#     bash kernel/test/trixie-root.sh ROOT
# REV: the commit to clone (default HEAD). TRIXIE_VITEST: a vitest selection run after the checks,
# as the user, or as root with TRIXIE_VITEST_USER=root (lab-kernels.test.ts's mount namespaces).
#
# Not part of `npm test` or CI: 6 to 15 minutes on the 2-core development machine, by its load
# (kernel/README.md has the figures). Needs root, debootstrap, and network access to a Debian
# mirror and the npm registry. ROOT is bind-mounted on itself, and /proc, /sys, /dev into it,
# while it runs; all are unmounted however it ends.
set -euo pipefail
REPO=${REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
ROOT=${1:?usage: $0 ROOT}
ROOT=$(realpath -m "$ROOT")
USER_NAME=learner
CLONE=/home/$USER_NAME/netlink-lab
LOG_DIR=$ROOT.logs
say() { printf 'trixie-root: %s\n' "$*"; }
fail() { say "FAIL: $*"; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "run as root (debootstrap, chroot and mounts need it)"

# The host's own Debian mirror (the only archive this may reach), unless MIRROR names one.
host_mirror() {
	sed -n -e 's/^URIs: *\([^ ]*\).*/\1/p' -e 's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\) .*/\2/p' \
		/etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null |
		grep -v -e security -e '^$' | head -1 || true
}
MIRROR=${MIRROR:-$(host_mirror)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}

step_started=0
step() { step_started=$(date +%s); say "$*"; }
took() { say "  took $(($(date +%s) - step_started)) s"; }

if [ ! -e "$ROOT/etc/debian_version" ]; then
	command -v debootstrap >/dev/null || fail "no debootstrap (apt-get install debootstrap)"
	step "debootstrap trixie $ROOT $MIRROR"
	debootstrap trixie "$ROOT" "$MIRROR" >"$ROOT.debootstrap.log" 2>&1 || { tail -20 "$ROOT.debootstrap.log"; fail "debootstrap"; }
	took
fi
grep -q '^VERSION_CODENAME=trixie$' "$ROOT/etc/os-release" || fail "$ROOT is not a Debian 13 root"
[ ! -e "$ROOT$CLONE" ] || fail "$ROOT was used before ($CLONE exists): give a new directory"
mkdir -p "$LOG_DIR"

# A process that is still exiting keeps a mount busy for a moment.
unmount() {
	local i d
	for i in 1 2 3 4 5 6 7 8 9 10; do
		for d in dev sys proc; do umount -R "$ROOT/$d" 2>/dev/null || true; done
		if grep -q " $ROOT " /proc/mounts; then umount "$ROOT" 2>/dev/null || true; fi
		grep -q " $ROOT[/ ]" /proc/mounts || return 0
		sleep 1
	done
	say "still mounted under $ROOT (umount -R $ROOT/dev $ROOT/sys $ROOT/proc $ROOT): do not delete it"
}
trap unmount EXIT
# The root a mount point of its own: unshare -m in a chroot needs one (lab-kernels.test.ts as root).
mount --bind "$ROOT" "$ROOT"
mount --make-private "$ROOT"
for d in proc sys dev; do mount --rbind "/$d" "$ROOT/$d"; done
mount --make-rslave "$ROOT/sys"
mount --make-rslave "$ROOT/dev"
cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf"
# sudo looks up the host name, which the root shares with the host; debootstrap did not list it.
grep -qw "$(hostname)" "$ROOT/etc/hosts" || echo "127.0.1.1 $(hostname)" >>"$ROOT/etc/hosts"
# A host that reaches the network through a TLS-inspecting proxy trusts its CA locally: the
# root must too, for apt, git and npm (node reads it from NODE_EXTRA_CA_CERTS).
LOCAL_CAS=$(find /usr/local/share/ca-certificates -name "*.crt" 2>/dev/null | wc -l || true)
if [ "$LOCAL_CAS" -gt 0 ]; then
	mkdir -p "$ROOT/usr/local/share/ca-certificates"
	cp /usr/local/share/ca-certificates/*.crt "$ROOT/usr/local/share/ca-certificates/"
fi

# What the root had before the lab came: its kernels' files and packages.
# Those absent (a fresh root has no lib/modules) must stay absent.
tree() { (cd "$ROOT" && { find boot lib/modules usr/lib/modules -printf '%p %s %m %l\n' 2>&1 || true; } | sort); }
tree >"$LOG_DIR/tree.before"

in_root() { chroot "$ROOT" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 HOME=/root "$@"; }
CA_ENV=
[ "$LOCAL_CAS" -eq 0 ] || CA_ENV=NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
as_user() {
	local user=${2:-$USER_NAME}
	chroot --userspec="$user:$user" "$ROOT" env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin LANG=C.UTF-8 \
		HOME="$(if [ "$user" = root ]; then echo /root; else echo "/home/$user"; fi)" USER="$user" NO_COLOR=1 ${CA_ENV:-} \
		bash -c "cd $CLONE && $1"
}

step "the new user's own steps: apt-get install git nodejs npm sudo; a user with sudo"
in_root apt-get update -q >"$LOG_DIR/user-apt.log" 2>&1 &&
	DEBIAN_FRONTEND=noninteractive in_root apt-get install -y -q --no-install-recommends git ca-certificates nodejs npm sudo \
		>>"$LOG_DIR/user-apt.log" 2>&1 || { tail -20 "$LOG_DIR/user-apt.log"; fail "installing git, nodejs and npm"; }
in_root id "$USER_NAME" >/dev/null 2>&1 || in_root useradd -m -s /bin/bash "$USER_NAME"
echo "$USER_NAME ALL=(ALL) NOPASSWD: ALL" >"$ROOT/etc/sudoers.d/$USER_NAME"
chmod 440 "$ROOT/etc/sudoers.d/$USER_NAME"
[ "$LOCAL_CAS" -eq 0 ] || in_root update-ca-certificates >>"$LOG_DIR/user-apt.log" 2>&1
took
node_version=$(in_root node --version)
engines=$(node -p "require('$REPO/package.json').engines.node")
say "trixie's node: $node_version; package.json engines: $engines"
in_root node -e '
	const want = /^>=(\d+)\.(\d+)/.exec(process.argv[1]);
	const [M, m] = process.versions.node.split(".").map(Number);
	if (!want || M < +want[1] || (M === +want[1] && m < +want[2])) process.exit(1);' "$engines" ||
	fail "trixie's node $node_version does not satisfy engines $engines"

commit=$(git -C "$REPO" rev-parse "${REV:-HEAD}")
step "git clone $REPO ($commit) into $CLONE"
git clone -q --no-local "$REPO" "$ROOT$CLONE"
git -C "$ROOT$CLONE" checkout -q --detach "$commit"
in_root chown -R "$USER_NAME:$USER_NAME" "$CLONE"
took

main=$(awk '/<!-- ci:main -->/ { getline; getline; print; exit }' "$REPO/README.md")
[ -n "$main" ] || fail "no command after <!-- ci:main --> in README.md"
step "as $USER_NAME: $main"
set +e
as_user "$main" >"$LOG_DIR/main.log" 2>&1
main_rc=$?
set -e
took
say "  exit $main_rc; output in $LOG_DIR/main.log"
out=$(cat "$LOG_DIR/main.log")
grep -q '^setup: done\.' <<<"$out" || { tail -30 "$LOG_DIR/main.log"; fail "setup did not finish"; }
grep -q "^setup: kernel 6\.1: this system's apt has no Debian 6\.1 kernel" <<<"$out" || fail "setup did not name the missing 6.1"
grep -q '^setup: the lab grades with kernel 6\.12; --kernel 6\.1 and the tests that need it are skipped' <<<"$out" ||
	fail "setup did not say it grades with 6.12"
# A starter earns the points of the checks that name no TODO; exit 1, as below full score.
want=$(node -e '
	const l = require(process.argv[1]);
	const sum = (cs) => cs.reduce((s, c) => s + c.points, 0);
	console.log(`${sum(l.checks.filter((c) => c.todos.length === 0))}/${sum(l.checks)}`);' "$REPO/lessons/lesson-3/lesson.json")
score=$(sed -n 's/.*Score: \([0-9]*\/[0-9]*\).*/\1/p' <<<"$out" | tail -1)
say "  lesson-3 starter: score $score (expected $want)"
[ "$score" = "$want" ] || { tail -40 "$LOG_DIR/main.log"; fail "the starter scored '${score:-nothing}', not $want"; }
[ "$main_rc" -eq 1 ] || fail "the grade of a starter exited $main_rc, not 1"
grep -q '^lesson-3: .*(.*, kernel 6\.12\.' <<<"$out" || fail "the grade did not run on kernel 6.12"

# A second setup, with apt-get and apt-cache logging each call: a ready lab makes none.
step "as $USER_NAME: npm run setup, again"
for t in apt-get apt-cache; do
	printf '#!/bin/sh\necho "%s $*" >>/tmp/apt-calls\nexec /usr/bin/%s "$@"\n' "$t" "$t" >"$ROOT/usr/local/bin/$t"
	chmod 755 "$ROOT/usr/local/bin/$t"
done
rm -f "$ROOT/tmp/apt-calls"
as_user "npm run setup" >"$LOG_DIR/setup-again.log" 2>&1 || { tail -20 "$LOG_DIR/setup-again.log"; fail "second setup"; }
took
rm -f "$ROOT/usr/local/bin/apt-get" "$ROOT/usr/local/bin/apt-cache"
[ ! -s "$ROOT/tmp/apt-calls" ] || { cat "$ROOT/tmp/apt-calls"; fail "the second setup called apt"; }

if [ -n "${TRIXIE_VITEST:-}" ]; then
	step "as ${TRIXIE_VITEST_USER:-$USER_NAME}: npx vitest run $TRIXIE_VITEST"
	set +e
	as_user "npm run -s build && npx vitest run $TRIXIE_VITEST" "${TRIXIE_VITEST_USER:-$USER_NAME}" >"$LOG_DIR/vitest.log" 2>&1
	vitest_rc=$?
	set -e
	took
	tail -15 "$LOG_DIR/vitest.log"
	[ "$vitest_rc" -eq 0 ] || fail "vitest exited $vitest_rc (output in $LOG_DIR/vitest.log)"
fi

tree >"$LOG_DIR/tree.after"
diff -u "$LOG_DIR/tree.before" "$LOG_DIR/tree.after" || fail "/boot or the modules folders changed"
# dpkg-query fails when no package matches, the outcome wanted.
images=$({ in_root dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' 'linux-image*' 2>/dev/null || true; } | awk '$1 ~ /^.i/ { print $2 }')
[ -z "$images" ] || fail "installed: $images"
say "ok: /boot unchanged, no linux-image package; $(wc -l <"$LOG_DIR/tree.before") entries compared"
