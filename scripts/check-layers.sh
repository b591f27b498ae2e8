#!/bin/sh
# Fail when an #include crosses tong's layers the wrong way (docs/layout.md):
#
#   base                 nothing of tong's
#   oci                  base
#   self                 base
#   process seccomp namespaces cgroups netns overlay
#                        base, oci, self (each subsystem on itself only)
#   container            base, oci, the subsystems
#   cli                  container and everything below it
#   shim                 base, oci, the subsystems; never container or cli
#
# Usage: scripts/check-layers.sh [SRCDIR]; prints each offending line as
# FILE:LINE: ROOM includes TARGET, and exits 1 if there is one.
set -eu
cd "${1:-$(dirname "$0")/..}"

# allowed ROOM: the rooms its files may include
allowed ()
{
  case $1 in
  base) echo "base" ;;
  oci) echo "base oci" ;;
  self) echo "base self" ;;
  process | seccomp | namespaces | cgroups | netns | overlay) echo "base oci self $1" ;;
  container) echo "base oci process seccomp namespaces cgroups netns overlay self container" ;;
  cli) echo "base oci process seccomp namespaces cgroups netns overlay self container cli" ;;
  shim) echo "base oci process seccomp namespaces cgroups netns overlay self shim" ;;
  esac
}

# room FILE: the room a path belongs to
room ()
{
  case $1 in
  oci/*) echo oci ;;
  src/*/*) r=${1#src/}; echo "${r%%/*}" ;;
  *) echo "" ;;
  esac
}

bad=0
for f in $(find oci src -name '*.[ch]' | sort); do
  from=$(room "$f")
  ok=$(allowed "$from")
  dir=$(dirname "$f")
  grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" | while IFS= read -r line; do
    n=${line%%:*}
    inc=${line#*\"}
    inc=${inc%%\"*}
    if [ -e "$dir/$inc" ]; then
      target=$dir/$inc
    elif [ -e "$inc" ]; then
      target=$inc
    else
      continue # a system or generated header (config.h)
    fi
    to=$(room "$target")
    [ -n "$to" ] || continue
    case " $ok " in
    *" $to "*) ;;
    *) echo "$f:$n: $from includes $inc ($to)" ;;
    esac
  done
done >"${TMPDIR:-/tmp}/check-layers.$$"
if [ -s "${TMPDIR:-/tmp}/check-layers.$$" ]; then
  cat "${TMPDIR:-/tmp}/check-layers.$$"
  bad=1
fi
rm -f "${TMPDIR:-/tmp}/check-layers.$$"
exit $bad
