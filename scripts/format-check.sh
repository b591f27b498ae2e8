#!/bin/sh
# Fail when a C source or header differs from what clang-format makes of it
# with the project's .clang-format; prints the files that differ.
#
# Usage: scripts/format-check.sh [SRCDIR]   (CLANG_FORMAT overrides the program)
set -eu
cd "${1:-$(dirname "$0")/..}"
CLANG_FORMAT=${CLANG_FORMAT:-clang-format}
command -v "$CLANG_FORMAT" >/dev/null || {
  echo "format-check: $CLANG_FORMAT not found (Debian: apt-get install clang-format)" >&2
  exit 2
}
bad=0
for f in $(find oci src tests -name '*.[ch]' | sort); do
  if ! "$CLANG_FORMAT" --dry-run -Werror "$f" >/dev/null 2>&1; then
    echo "$f differs from clang-format's output (run: $CLANG_FORMAT -i $f)"
    bad=1
  fi
done
exit $bad
