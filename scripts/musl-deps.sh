#!/bin/sh
# Build the libraries tong links with for musl, from Debian's own source
# packages, and install them in DIR (default: ./musl-deps):
#   yajl        DIR/lib/libyajl.a, DIR/include/yajl/*.h
#   libcap2     DIR/lib/libcap.a, DIR/include/sys/capability.h
#   libseccomp  DIR/lib/libseccomp.so.2, DIR/include/seccomp.h,
#               DIR/include/seccomp-syscalls.h
# plus DIR/include/{linux,asm,asm-generic}: symlinks to the host's kernel
# headers (linux-libc-dev), which musl-gcc does not search; tong's own musl
# build uses them too.
#
# Why: tong's runtime binary is linked with musl, because starting a glibc
# process costs ~0.7 ms on hosts where cpuid traps, and Debian ships these
# three libraries for glibc only.  yajl and libcap are static; libseccomp is
# a shared library because tong dlopens it, only for containers that have a
# seccomp filter.
#
#   scripts/musl-deps.sh [DIR]
#
# Needs musl-tools, gperf and dpkg-dev, and network access to Debian's
# archive: the sources come from deb-src lines for this system's release
# (VERSION_CODENAME in /etc/os-release), through a private apt configuration
# and lists in a temporary directory; the system's apt setup is not touched.
# When DIR/stamp (written last, with the three source versions) and the
# outputs exist, it does nothing, offline: remove DIR/stamp to rebuild.
# The build output goes to a log in the temporary directory; on failure its
# end is printed and the directory is kept.
set -eu

die () { echo "musl-deps: $*" >&2; exit 1; }

dir=${1:-musl-deps}
case $dir in
  /*) ;;
  *) dir=$PWD/$dir ;;
esac
case $dir in
  *" "* | *"	"*) die "DIR must not contain blanks: $dir" ;;
esac

outputs="lib/libyajl.a include/yajl/yajl_common.h include/yajl/yajl_gen.h
  include/yajl/yajl_parse.h include/yajl/yajl_tree.h include/yajl/yajl_version.h
  lib/libcap.a include/sys/capability.h
  lib/libseccomp.so.2 include/seccomp.h include/seccomp-syscalls.h
  include/linux include/asm include/asm-generic"

up_to_date ()
{
  [ -f "$dir/stamp" ] || return 1
  for f in $outputs; do
    [ -e "$dir/$f" ] || return 1
  done
}

if up_to_date; then
  echo "musl-deps: $dir is up to date"
  exit 0
fi

missing=
for tool in musl-gcc gcc gperf dpkg-source dpkg-parsechangelog apt-get make ar readelf; do
  command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
[ -z "$missing" ] || die "missing:$missing (apt-get install musl-tools gperf dpkg-dev)"

codename=$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release 2>/dev/null | tr -d '"')
[ -n "$codename" ] || die "no VERSION_CODENAME in /etc/os-release (this is for Debian)"

triplet=$(gcc -print-multiarch)
[ -n "$triplet" ] || die "gcc -print-multiarch printed nothing"
for hdrs in /usr/include/linux /usr/include/"$triplet"/asm /usr/include/asm-generic; do
  [ -d "$hdrs" ] || die "$hdrs not found (apt-get install linux-libc-dev)"
done

# The environment must not change the libraries' builds.
unset CC CFLAGS CPPFLAGS LDFLAGS LIBS CROSS_COMPILE
jobs=$(nproc 2>/dev/null || echo 1)
cflags="-O2 -fPIC -ffunction-sections -fdata-sections -I$dir/include"

# Start from a clean slate: no stamp until everything is installed again.
rm -f "$dir/stamp" "$dir/lib/libyajl.a" "$dir/lib/libcap.a" "$dir/lib/libseccomp.so.2" \
  "$dir/include/sys/capability.h" "$dir/include/seccomp.h" "$dir/include/seccomp-syscalls.h"
rm -rf "$dir/include/yajl"
mkdir -p "$dir/lib" "$dir/include/sys" "$dir/include/yajl"

# link NAME TARGET: DIR/include/NAME -> TARGET.
link ()
{
  if [ -e "$dir/include/$1" ] && [ ! -L "$dir/include/$1" ]; then
    die "$dir/include/$1 exists and is not a symlink"
  fi
  ln -sfn "$2" "$dir/include/$1"
}
link linux /usr/include/linux
link asm /usr/include/"$triplet"/asm
link asm-generic /usr/include/asm-generic

work=$(mktemp -d -t musl-deps.XXXXXX)
log=$work/build.log
: >"$log"
step="fetching the sources"
on_exit ()
{
  status=$?
  if [ "$status" -eq 0 ]; then
    rm -rf "$work"
  else
    {
      echo "musl-deps: $step failed; the end of $log:"
      tail -n 25 "$log"
      echo "musl-deps: the work directory $work is kept"
    } >&2
  fi
  exit "$status"
}
trap on_exit EXIT
trap 'exit 130' INT TERM

# --- sources: apt-get source with private sources, lists and cache ------------
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
signed=
[ -f "$keyring" ] && signed="[signed-by=$keyring] "
cat >"$work/sources.list" <<EOF
deb-src ${signed}http://deb.debian.org/debian $codename main
deb-src ${signed}http://deb.debian.org/debian $codename-updates main
deb-src ${signed}http://deb.debian.org/debian-security $codename-security main
EOF
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/src"

apt_get ()
{
  apt-get -q -o Dir::Etc::SourceList="$work/sources.list" \
    -o Dir::Etc::SourceParts=/nonexistent -o Dir::State::Lists="$work/lists" \
    -o Dir::Cache="$work/cache" -o APT::Sandbox::User=root "$@"
}

echo "musl-deps: fetching yajl, libcap2 and libseccomp from Debian's $codename sources"
{
  apt_get update
  (cd "$work/src" && apt_get --only-source source yajl libcap2 libseccomp)
} >>"$log" 2>&1

# srcdir NAME: the unpacked source directory of source package NAME.
srcdir ()
{
  set -- "$work"/src/"$1"-[0-9]*/
  if [ $# -ne 1 ] || [ ! -d "$1" ]; then
    die "not one unpacked source directory: $*"
  fi
  echo "${1%/}"
}
# version SRCDIR: its Debian version.
version () { dpkg-parsechangelog -l "$1/debian/changelog" -S Version; }

# --- yajl: upstream builds it with cmake; its library is src/*.c --------------
build_yajl ()
{
  src=$1
  major=$(sed -n 's/^SET (YAJL_MAJOR \([0-9]*\))/\1/p' "$src/CMakeLists.txt")
  minor=$(sed -n 's/^SET (YAJL_MINOR \([0-9]*\))/\1/p' "$src/CMakeLists.txt")
  micro=$(sed -n 's/^SET (YAJL_MICRO \([0-9]*\))/\1/p' "$src/CMakeLists.txt")
  if [ -z "$major" ] || [ -z "$minor" ] || [ -z "$micro" ]; then
    die "no YAJL_MAJOR/MINOR/MICRO in $src/CMakeLists.txt"
  fi
  for h in yajl_common.h yajl_gen.h yajl_parse.h yajl_tree.h; do
    cp "$src/src/api/$h" "$dir/include/yajl/$h"
  done
  sed -e "s/\${YAJL_MAJOR}/$major/" -e "s/\${YAJL_MINOR}/$minor/" -e "s/\${YAJL_MICRO}/$micro/" \
    "$src/src/api/yajl_version.h.cmake" >"$dir/include/yajl/yajl_version.h"
  mkdir -p "$work/yajl-obj"
  for c in "$src"/src/*.c; do
    o=${c##*/}
    # shellcheck disable=SC2086 # $cflags is a list of options (no blanks in DIR)
    musl-gcc $cflags -std=c99 -DYAJL_BUILD -DNDEBUG -c "$c" -o "$work/yajl-obj/${o%.c}.o"
  done
  ar rcs "$dir/lib/libyajl.a" "$work"/yajl-obj/*.o
}

# --- libcap: only libcap.a; BUILD_CC compiles its generator for the host ------
build_libcap ()
{
  src=$1
  make -C "$src/libcap" -j"$jobs" CC=musl-gcc BUILD_CC=gcc BUILD_COPTS=-O2 \
    COPTS="$cflags" SHARED=no PTHREADS=no libcap.a
  cp "$src/libcap/libcap.a" "$dir/lib/libcap.a"
  cp "$src/libcap/include/sys/capability.h" "$dir/include/sys/capability.h"
}

# --- libseccomp: the shared library only, as DIR/lib/libseccomp.so.2 ----------
build_libseccomp ()
{
  src=$1
  (cd "$src" && CC=musl-gcc CFLAGS="$cflags" LDFLAGS=-Wl,--gc-sections \
    ./configure --prefix="$dir" --disable-static --enable-shared --disable-python)
  make -C "$src/src" -j"$jobs"
  cp "$(readlink -f "$src/src/.libs/libseccomp.so.2")" "$dir/lib/libseccomp.so.2"
  cp "$src/include/seccomp.h" "$src/include/seccomp-syscalls.h" "$dir/include/"
}

stamp=
for lib in yajl libcap libseccomp; do
  case $lib in
    libcap) pkg=libcap2 ;;
    *) pkg=$lib ;;
  esac
  src=$(srcdir "$pkg")
  ver=$(version "$src")
  step="$pkg $ver"
  "build_$lib" "$src" >>"$log" 2>&1
  echo "musl-deps: $pkg $ver ok"
  stamp="$stamp$pkg $ver
"
done

# libseccomp.so.2 must need nothing but musl's libc.
so=$dir/lib/libseccomp.so.2
step="checking $so"
soname=$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
needed=$(readelf -d "$so" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
[ "$soname" = libseccomp.so.2 ] || die "$so: soname is '$soname', not libseccomp.so.2"
[ "$needed" = "libc.so " ] || die "$so needs '$needed', not just musl's libc.so"

printf '%s' "$stamp" >"$dir/stamp"
