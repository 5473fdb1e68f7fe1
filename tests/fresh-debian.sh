#!/usr/bin/env bash
# The README's two commands on a fresh Debian 12, as a new user meets them: builds a bookworm
# root file system with debootstrap (Debian packages only, from the mirror this machine's apt
# uses), clones this checkout into it with nothing beside it (no build/, no sibling folders),
# and runs inside it, in a chroot with a clean environment:
#   ./quickstart.sh                          the first README command (only the base packages)
#   python3 tests/python/readme_example.py   the README's "Reading the output" example, still
#                                            with only what quickstart.sh installed
#   ./test.sh                                the second README command
# printing each one's wall time and result. Exits non-zero when any of them failed.
#
#   sudo tests/fresh-debian.sh [--workdir DIR] [--keep] [--no-cache]
#     --workdir DIR  where the root and the cached tarball live (default /var/tmp/socialtwin-fresh-debian)
#     --keep         keep the root file system afterwards (to look around: chroot DIR/root)
#     --no-cache     download every package again instead of unpacking DIR/bookworm-minbase.tgz,
#                    the debootstrap tarball the first run makes (debootstrap --make-tarball)
#
# Tests what is committed: the clone is of HEAD, so uncommitted changes are not in it (a
# warning says so). Needs root (debootstrap, mount, chroot), debootstrap and git on the host.
# Takes 20-40 minutes, most of it installing packages and compiling; run it niced.
set -euo pipefail

source_dir=$(cd "$(dirname "$0")/.." && pwd)
# The commit under test, fixed now: the checkout may move on during the 20-40 minutes.
commit=$(git -C "$source_dir" rev-parse HEAD)
workdir=/var/tmp/socialtwin-fresh-debian
keep=no
use_cache=yes
while (($#)); do
  case "$1" in
    --workdir) workdir=${2:?--workdir needs a directory}; shift 2 ;;
    --keep) keep=yes; shift ;;
    --no-cache) use_cache=no; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "fresh-debian: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

say() { echo "fresh-debian: $*"; }
die() { echo "fresh-debian: $*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "needs root (debootstrap, mount and chroot)"
for tool in debootstrap git chroot mount umount findmnt; do
  command -v "$tool" >/dev/null || die "needs $tool on this machine (Debian package: ${tool/findmnt/util-linux})"
done

# The Debian mirror this machine's apt uses: the first bookworm (or stable) main archive in
# /etc/apt/sources.list or sources.list.d, one-line (.list) or deb822 (.sources) format.
# Prints "URI SUITE-KIND" pairs: "archive" for the main archive, "security" for the security one.
debian_sources() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] || continue
    if [[ $f == *.sources ]]; then
      awk 'BEGIN { RS = ""; FS = "\n" }
           { types = ""; uris = ""; suites = ""
             for (i = 1; i <= NF; i++) {
               if ($i ~ /^Types:/) types = $i
               if ($i ~ /^URIs:/) { uris = $i; sub(/^URIs:[ \t]*/, "", uris) }
               if ($i ~ /^Suites:/) suites = $i }
             if (types ~ /(^|[ \t])deb([ \t]|$)/ && uris != "")
               print uris, suites }' "$f"
    else
      awk '$1 == "deb" { uri = ($2 ~ /^\[/) ? $3 : $2; suite = ($2 ~ /^\[/) ? $4 : $3
                         print uri, "Suites: " suite }' "$f"
    fi
  done | awk '{ kind = ($0 ~ /bookworm-security|security/) ? "security" : ($0 ~ /bookworm([ \t]|$)|stable([ \t]|$)/ ? "archive" : "")
               if (kind != "" && !seen[kind]++) print $1, kind }'
}
mirror=$(debian_sources | awk '$2 == "archive" { print $1; exit }')
security=$(debian_sources | awk '$2 == "security" { print $1; exit }')
[[ -n $mirror ]] || die "found no Debian bookworm archive in /etc/apt/sources.list*; cannot choose a mirror"

root=$workdir/root
tarball=$workdir/bookworm-minbase.tgz
log=$workdir/fresh-debian.log
mkdir -p "$workdir"

# Every mount this script makes is under $root; unmount them all, deepest first, whatever happens.
unmount_all() {
  local m
  for m in $(findmnt -rn -o TARGET | grep -F "$root/" | sort -r); do
    umount "$m" 2>/dev/null || umount -l "$m" || say "could not unmount $m"
  done
}
remove_root() {
  [[ -d $root ]] || return 0
  unmount_all
  if findmnt -rn -o TARGET | grep -qF "$root/"; then
    say "something is still mounted under $root: not removing it"
    return 1
  fi
  # --one-file-system: never follows into a mount even if one appeared.
  rm -rf --one-file-system "$root"
}
finish() {
  local status=$?
  unmount_all
  if [[ $keep == yes ]]; then say "root kept in $root"; else remove_root || true; fi
  exit "$status"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ -n $(git -C "$source_dir" status --porcelain --untracked-files=no) ]]; then
  say "warning: $source_dir has uncommitted changes; the clone tests the commit ${commit:0:12} only"
fi
remove_root
: >"$log"

declare -a summary=()
failed=0
# timed NAME COMMAND...: runs it, shows and logs its output, records its wall time and exit status.
timed() {
  local name=$1 start status
  shift
  say "--- $name"
  start=$(date +%s)
  set +e
  "$@" 2>&1 | tee -a "$log"
  status=${PIPESTATUS[0]}
  set -e
  local line
  line=$(printf '%-42s %5d s  %s' "$name" $(($(date +%s) - start)) \
    "$( ((status == 0)) && echo ok || echo "FAILED (exit $status)")")
  summary+=("$line")
  say "$line"
  ((status == 0)) || failed=1
  return "$status"
}

bootstrap() {
  set -e # runs in the pipeline's subshell, where timed has switched -e off
  if [[ $use_cache == yes && -s $tarball ]]; then
    say "unpacking the cached packages of $tarball"
  else
    say "downloading the bookworm minbase packages from $mirror into $tarball"
    rm -rf "$workdir/tarball-staging"
    debootstrap --variant=minbase --make-tarball="$tarball.part" bookworm "$workdir/tarball-staging" "$mirror"
    mv "$tarball.part" "$tarball"
    rm -rf "$workdir/tarball-staging"
  fi
  debootstrap --variant=minbase --unpack-tarball="$tarball" bookworm "$root" "$mirror"
}
timed "debootstrap bookworm (minbase)" bootstrap || exit 1

# The same Debian archives as this machine: the release, its updates and security fixes.
{
  echo "deb $mirror bookworm main"
  echo "deb $mirror bookworm-updates main"
  if [[ -n $security ]]; then echo "deb $security bookworm-security main"; fi
} >"$root/etc/apt/sources.list"
# A proxy this machine's apt needs, the chroot's apt needs too.
apt-config dump | grep -i '^Acquire::[a-z]*::Proxy ' >"$root/etc/apt/apt.conf.d/90host-proxy" || true
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
# What the Debian installer writes and debootstrap does not: without /etc/hosts "localhost" does
# not resolve, and chromedriver, which reaches the browser at ws://localhost:PORT, fails with
# "session not created from disconnected: unable to connect to renderer" (report_in_browser).
if [[ ! -e $root/etc/hosts ]]; then
  printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
fi

# The clone: HEAD of this checkout, nothing beside it.
clone() {
  set -e
  git clone -q --no-hardlinks "$source_dir" "$root/root/socialtwin"
  git -C "$root/root/socialtwin" checkout -q --detach "$commit"
  git -C "$root/root/socialtwin" log --oneline -1
}
timed "git clone (HEAD of $source_dir)" clone || exit 1

mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --rbind /dev "$root/dev"
mount --make-rslave "$root/dev"

# A clean environment, as a new root shell on that machine would have: nothing of this one's.
inside() {
  chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    /bin/bash -c "cd /root/socialtwin && $1"
}
timed "./quickstart.sh" inside ./quickstart.sh || true
timed "README 'Reading the output' (quickstart only)" inside "python3 tests/python/readme_example.py" || true
timed "./test.sh" inside ./test.sh || true

echo
say "summary (Debian 12 bookworm minbase from $mirror, commit ${commit:0:12}):"
printf '  %s\n' "${summary[@]}"
say "full log: $log"
exit "$failed"
