# Helpers for the CVE-2019-5736 tests of a hostile image (cve.sh, and
# rootless.sh for a user other than root); no tests of its own.
#
# The container's own execve of /proc/self/exe: the image's entrypoint is a
# script whose interpreter is /proc/self/exe, so the runtime's process in the
# container (the init, or the process of `tong exec`) execs the runtime's
# binary again, now as a dumpable process of the container, with the ELF
# interpreter at the binary's PT_INTERP path taken from the image: a fake one
# (tests/tools/exe-overwrite.c), or the genuine loader with a preloaded
# library.  Either takes /proc/self/exe as fd 9 and runs /attack.sh, which
# reopens it for writing until the runtime has exited.  Non-dumpability does
# not stand in the way: the process is the container's own.

_exe_attack_script='#!/bin/sh
# fd 9 is the binary this process was started as, through /proc/self/exe.
try ()
{
  echo "reached=$(stat -L -c %d:%i /proc/self/fd/9)" >/out/result.tmp
  i=0
  while [ $i -lt 150 ]; do
    if (printf OWNED >>/proc/self/fd/9) 2>/dev/null; then
      echo written >>/out/result.tmp
      mv /out/result.tmp /out/result
      exit 0
    fi
    i=$((i + 1))
    usleep 10000
  done
  echo refused >>/out/result.tmp
  mv /out/result.tmp /out/result
}
# In the background, to outlive the process that `tong exec` or `tong run` waits for.
if [ -e /attack.bg ]; then try </dev/null >/dev/null 2>&1 & else try; fi'

# _exe_image B BIN LOADER: a bundle B whose rootfs is the hostile image
# for the runtime binary BIN (see _exe_image_files).
_exe_image ()
{
  make_bundle "$1" /entry
  _exe_image_files "$@"
}

# _exe_image_files B BIN LOADER: make the rootfs of bundle B the hostile
# image for the runtime binary BIN, its process /entry: LOADER "fake" puts
# the fake interpreter at BIN's PT_INTERP path, "genuine" the host's loader
# there (and the libraries BIN needs), with LD_PRELOAD naming the attack's
# library.  The attack's verdict goes to B/out (bound on /out).
_exe_image_files ()
{
  local b=$1 bin=$2 loader=$3 tools="$BUILD_DIR/tests/tools" interp lib
  [ -x "$tools/exe-fake-loader" ] && [ -f "$tools/exe-preload.so" ] \
    || skip "tests/tools/exe-fake-loader is not built (x86_64 only; make check TESTS=)"
  command -v readelf >/dev/null || skip "readelf (binutils) is not installed"
  interp=$(readelf -l "$bin" | sed -n 's/.*Requesting program interpreter: \(.*\)]$/\1/p')
  [ -n "$interp" ] || fail "$bin has no PT_INTERP"
  cfg_args "$b" /entry
  mkdir -p "$b/rootfs$(dirname "$interp")" "$b/out"
  case $loader in
  fake) cp "$tools/exe-fake-loader" "$b/rootfs$interp" ;;
  genuine)
    cp -L "$interp" "$b/rootfs$interp"
    # glibc's loader needs libc.so.6 beside it; musl's loader is its libc
    for lib in $(ldd "$bin" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p'); do
      mkdir -p "$b/rootfs$(dirname "$lib")"
      cp -L "$lib" "$b/rootfs$lib"
    done
    cp "$tools/exe-preload.so" "$b/rootfs/exe-preload.so"
    cfg_set "$b" '.process.env += ["LD_PRELOAD=/exe-preload.so"]'
    ;;
  esac
  [ -z "${EXE_BG:-}" ] || touch "$b/rootfs/attack.bg"
  printf '#!/proc/self/exe\n' >"$b/rootfs/entry"
  printf '%s\n' "$_exe_attack_script" >"$b/rootfs/attack.sh"
  chmod 755 "$b/rootfs/entry" "$b/rootfs/attack.sh"
  cfg_mount "$b" "$(jq -n --arg s "$b/out" '{destination: "/out", type: "bind", source: $s, options: ["rbind", "rw"]}')"
  # the image's own root, read-only, changes nothing: the target is the host's binary
  cfg_set "$b" '.root.readonly = true'
}

# _exe_verdict B BIN SUM [copy]: the attack reached BIN (its fd 9 was the
# binary itself: dev and inode as the host sees them; with "copy", a copy of
# it that is not the file) and could not write it: BIN's bytes hash to SUM.
_exe_verdict ()
{
  local b=$1 bin=$2 sum=$3 id out
  wait_for 20 test -e "$b/out/result"
  id=$(stat -c '%d:%i' "$bin")
  out=$(cat "$b/out/result")
  printf 'the attack: %s\n' "$out" >&2
  assert_eq "$(sha256sum <"$bin")" "$sum" "the runtime's binary is unchanged"
  if [ "${4:-}" = copy ]; then
    assert_match "$out" '^reached=[0-9]+:[0-9]+$'
    assert_ne "$(head -n 1 <<<"$out")" "reached=$id" "the binary the attack reached is a copy"
    assert_eq "$(tail -n 1 <<<"$out")" refused "the attack could not write it"
  else
    assert_eq "$out" "$(printf 'reached=%s\nrefused' "$id")" \
      "the attack reached the binary and could not write it"
  fi
}

# _exe_copy NAME: a private copy of the runtime under test (NAME tong or
# tong-full) in $T/bin, with the private files it looks for beside it; sets
# BIN and SUM.
_exe_copy ()
{
  local dir f
  dir=$(dirname "$TONG")
  mkdir -p "$T/bin"
  for f in tong tong-full libseccomp.so.2; do
    [ ! -e "$dir/$f" ] || cp "$dir/$f" "$T/bin/$f"
  done
  [ -x "$T/bin/$1" ] || skip "$1 is not built (configure --with-musl builds tong-full)"
  BIN="$T/bin/$1"
  SUM=$(sha256sum <"$BIN")
}
