#!/bin/bash
# Side-by-side benchmark of tong-shim against skopeo + umoci and podman on
# one image in one local registry, interleaved, printing for each the median,
# the spread and the ratio of tong-shim to it.  Run as root:
#
#   bench/shim.sh [--pull-runs N] [--run-runs N] [--without-podman] [TONG-SHIM]
#
#   1. pull (default 10 times), each into fresh directories:
#      `tong-shim pull --insecure` into a fresh store, against
#      `skopeo copy` into an OCI layout + `umoci unpack` of it, and against
#      `podman pull` into a fresh podman store (overlay driver)
#   2. `run --rm IMAGE true` (default 20 times): tong-shim with the tong next
#      to it, against podman with crun, both with --net none, each from an
#      image it pulled before
#
# The registry is Debian's docker-registry on a free port of 127.0.0.1, with
# its storage in a temp dir (tests/registry.sh); the image is the tests'
# busybox image (tests/images.sh, 2 layers) with three layers of files of
# this host added (time zones, perl-base, the shared libraries tong-shim
# loads), so that a pull has some MB to fetch and unpack; its size is printed.
#
# crun 1.8 refuses hybrid cgroup hosts, so the benchmark runs in a private
# mount namespace in which the cgroup v2 mount of a hybrid host is unmounted
# (the host's own mounts are untouched).  tong then finds no cgroup v2
# hierarchy and makes no cgroup; podman runs with --cgroups=disabled.
# podman's configuration is the integration tests' (tests/integration/
# podman.sh): its own containers.conf and storage under the temp dir, no
# network, conmon left in the cgroups it started in, lowered ulimits, and a
# short runroot (/mnt, bound in the namespace).  Everything the benchmark
# made is removed when it ends, also on failure.
set -euo pipefail
[ -n "${BENCH_TRACE:-}" ] && set -x

PULL_RUNS=10
RUN_RUNS=20
WITH_PODMAN=yes
while [ $# -gt 0 ]; do
  case $1 in
    --pull-runs) PULL_RUNS=$2; shift 2 ;;
    --run-runs) RUN_RUNS=$2; shift 2 ;;
    --without-podman) WITH_PODMAN=no; shift ;;
    -h | --help) sed -n '2,30s/^# \{0,1\}//p' "$0"; exit 0 ;;
    -*) echo "bench: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
here=$(cd "$(dirname "$0")/.." && pwd)
SHIM=${1:-$here/tong-shim}
case $SHIM in /*) ;; *) SHIM=$(pwd)/$SHIM ;; esac
TONG=$(dirname "$SHIM")/tong

if [ -z "${TONG_BENCH_INNER:-}" ]; then
  [ "$(id -u)" = 0 ] || { echo "bench: run as root" >&2; exit 1; }
  if [ ! -x "$SHIM" ] || [ ! -x "$TONG" ]; then
    echo "bench: no $SHIM or no tong next to it (make)" >&2
    exit 1
  fi
  need="docker-registry skopeo umoci jq busybox zstd python3 curl"
  [ "$WITH_PODMAN" = yes ] && need="$need podman conmon crun"
  for c in $need; do
    command -v "$c" >/dev/null || { echo "bench: $c not found (apt-get install docker-registry skopeo umoci podman crun jq busybox-static zstd)" >&2; exit 1; }
  done
  [ -d /mnt ] || { echo "bench: no /mnt to hold podman's runroot" >&2; exit 1; }
  args=(--pull-runs "$PULL_RUNS" --run-runs "$RUN_RUNS")
  [ "$WITH_PODMAN" = yes ] || args+=(--without-podman)
  exec unshare -m --propagation private env TONG_BENCH_INNER=1 "$0" "${args[@]}" "$SHIM"
fi

if [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
  umount /sys/fs/cgroup/unified
fi

echo "== host: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)," \
  "$(uname -r), $("$SHIM" --version 2>/dev/null | head -n1), $(podman --version 2>/dev/null)," \
  "$(crun --version 2>/dev/null | head -n1), $(skopeo --version), $(umoci --version)"
work=$(mktemp -d "${TMPDIR:-/tmp}/tong-shimbench.XXXXXX")
made_run_crun=

# tests/lib.sh gives on_exit and wait_for, which tests/registry.sh uses; it
# wants $T (our temp dir) and $TESTS_DIR.
T=$work
TESTS_DIR=$here/tests
# shellcheck source=tests/lib.sh
source "$TESTS_DIR/lib.sh"
# shellcheck source=tests/registry.sh
source "$TESTS_DIR/registry.sh"
# shellcheck source=tests/images.sh
source "$TESTS_DIR/images.sh"

# podman_ ARGS...: podman with crun (its configuration is in the environment).
podman_ ()
{
  podman --runtime crun "$@"
}

# ts_ ARGS...: tong-shim with the store and runroot of the run benchmark.
ts_ ()
{
  "$SHIM" --root "$work/ts-store" --runroot "$work/ts-run" --runtime "$TONG" "$@"
}

# unmount_under DIR: every mount at or below DIR, deepest first.
unmount_under ()
{
  local m
  awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null || true; done
}

cleanup ()
{
  set +e
  if [ "$WITH_PODMAN" = yes ] && [ -d "$work/pm" ]; then
    podman_ rm -f -a -t 0 >/dev/null 2>&1
  fi
  local id
  for id in $(ts_ ps -a -q 2>/dev/null); do
    ts_ rm -f "$id" >/dev/null 2>&1
  done
  _run_on_exit
  unmount_under "$work"
  rm -rf "$work"
  if [ -n "$made_run_crun" ]; then
    umount /run/crun
    rmdir /run/crun
  fi
}
trap cleanup EXIT

# stats FILE: median, min, max in ms
stats ()
{
  sort -n "$1" | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f %.1f %.1f\n", m/1e6, a[1]/1e6, a[NR]/1e6}'
}

median () { stats "$1" | cut -d' ' -f1; }

# line NAME FILE: median and spread of one tool
line ()
{
  local med lo hi
  read -r med lo hi < <(stats "$2")
  printf "  %-22s median %8.1f ms  spread %.1f-%.1f ms\n" "$1" "$med" "$lo" "$hi"
}

# ratio A-FILE B-FILE NAME: tong-shim's median over another's
ratio ()
{
  printf "  tong-shim / %-14s %.2f\n" "$3" "$(awk -v a="$(median "$1")" -v b="$(median "$2")" 'BEGIN {print a / b}')"
}

# timed FILE CMD...: run CMD, append its wall time in ns to FILE, from bash's
# own clock (a $(date +%s%N) would add its fork and exec to every figure)
timed ()
{
  local file=$1 t0 t1
  shift
  t0=$EPOCHREALTIME
  "$@" >/dev/null
  t1=$EPOCHREALTIME
  echo $(((${t1//[.,]/} - ${t0//[.,]/}) * 1000)) >>"$file"
}

# ---------------------------------------------------------------- the image

# add_layer DIR TREE: append TREE as a gzip layer to the layout's image.
add_layer ()
{
  local dir=$1 tree=$2 out desc diff man cfg mf cf
  out=$(_image_layer "$dir" "$tree")
  desc=${out% *}
  diff=${out##* }
  man=$(jq -r '.manifests[0].digest' "$dir/index.json")
  cfg=$(jq -r .config.digest "$(image_blob "$dir" "$man")")
  cf=$(mktemp "$dir/.cfg.XXXXXX")
  jq -c --arg d "$diff" '.rootfs.diff_ids += [$d]
      | .history += [{created: "1970-01-01T00:00:00Z", created_by: "bench/shim.sh"}]' \
    "$(image_blob "$dir" "$cfg")" >"$cf"
  cfg=$(_image_put_blob "$dir" "$cf" application/vnd.oci.image.config.v1+json)
  mf=$(mktemp "$dir/.man.XXXXXX")
  jq -c --argjson cfg "$cfg" --argjson l "$desc" '.config = $cfg | .layers += [$l]' \
    "$(image_blob "$dir" "$man")" >"$mf"
  man=$(_image_put_blob "$dir" "$mf" application/vnd.oci.image.manifest.v1+json)
  jq -c --argjson m "$man" '.manifests[0] = ($m + {annotations: .manifests[0].annotations})' \
    "$dir/index.json" >"$dir/index.json.new"
  mv "$dir/index.json.new" "$dir/index.json"
}

# host_tree TREE PATH...: copy host files, with their directories, into TREE.
host_tree ()
{
  local tree=$1
  shift
  mkdir -p "$tree"
  tar -C / -cf - "${@#/}" | tar -C "$tree" -xf -
}

# shellcheck disable=SC2119 # no options: plain http, no auth
registry_start
BUSYBOX=$(command -v busybox)
image_build_busybox "$work/image" --layers 2
host_tree "$work/l3" /usr/share/zoneinfo
# perl-base is Essential in Debian; it lives in the multiarch directory
libdir=$(dirname "$(readlink -f "$(ldd "$SHIM" | awk '$1 == "libc.so.6" { print $3 }')")")
[ -d "$libdir/perl-base" ] || { echo "bench: no $libdir/perl-base (Debian's perl-base)" >&2; exit 1; }
host_tree "$work/l4" "$libdir/perl-base"
# the shared libraries tong-shim loads, but for the big ones (ICU's data)
mapfile -t libs < <(ldd "$SHIM" | awk '$3 ~ /^\// { print $3 }' | xargs readlink -f | sort -u |
  while read -r f; do [ "$(stat -c %s "$f")" -gt 4000000 ] || echo "$f"; done)
[ ${#libs[@]} -gt 0 ] || { echo "bench: ldd finds no shared library in $SHIM" >&2; exit 1; }
host_tree "$work/l5" "${libs[@]}"
for k in 3 4 5; do
  add_layer "$work/image" "$work/l$k"
done
rm -rf "$work/l3" "$work/l4" "$work/l5"
IMAGE=$REGISTRY/bench/busybox:latest
image_push "$work/image" "$IMAGE"
man=$(image_blob "$work/image" "$(jq -r '.manifests[0].digest' "$work/image/index.json")")
printf "== image: %d layers, %.1f MB compressed (%s)\n" "$(jq '.layers | length' "$man")" \
  "$(jq '[.layers[].size] | add / 1e6' "$man")" "$(jq -r '[.layers[].size | if . < 1e5 then "\(. / 1e3 * 10 | round / 10) KB"
    else "\(. / 1e6 * 10 | round / 10) MB" end] | join(", ")' "$man")"

# ---------------------------------------------------------------- podman

if [ "$WITH_PODMAN" = yes ]; then
  mkdir -p "$work/pm/tmp" "$work/pm/run" "$work/pm/net" "$work/pm/varlib/containers" "$work/crun"
  cat >"$work/pm/containers.conf" <<EOF
[containers]
netns = "none"
cgroups = "no-conmon"
pids_limit = 0
log_driver = "k8s-file"
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$work/pm/events.log"
lock_type = "file"
tmp_dir = "$work/pm/tmp"
volume_path = "$work/pm/volumes"

[network]
network_config_dir = "$work/pm/net"
EOF
  cat >"$work/pm/storage.conf" <<EOF
[storage]
driver = "overlay"
runroot = "/mnt/run"
graphroot = "$work/pm/storage"
EOF
  : >"$work/pm/registries.conf"
  export CONTAINERS_CONF=$work/pm/containers.conf CONTAINERS_STORAGE_CONF=$work/pm/storage.conf
  export CONTAINERS_REGISTRIES_CONF=$work/pm/registries.conf
  # All in this mount namespace: podman's runroot must be a short path (it
  # refuses more than 50 characters), its blob cache is in
  # /var/lib/containers whatever the storage says, and crun keeps its state
  # in /run/crun (podman's cleanup process passes it no --root).
  mount --bind "$work/pm/run" /mnt
  if [ -d /var/lib/containers ]; then
    mount --bind "$work/pm/varlib/containers" /var/lib/containers
  else
    mount --bind "$work/pm/varlib" /var/lib
  fi
  if [ ! -d /run/crun ]; then
    mkdir /run/crun
    made_run_crun=1
  fi
  mount --bind "$work/crun" /run/crun
fi


# ---------------------------------------------------------------- 1. pull

shim_pull ()
{
  "$SHIM" --root "$1/store" --runroot "$1/run" pull --insecure "$IMAGE"
}

skopeo_pull ()
{
  skopeo --insecure-policy copy --quiet --src-tls-verify=false "docker://$IMAGE" "oci:$1/layout:latest"
}

umoci_unpack ()
{
  umoci unpack --image "$1/layout:latest" "$1/bundle"
}

# podman_pull DIR N: a fresh store, database and runroot
podman_pull ()
{
  podman_ --root "$1/storage" --runroot "/mnt/p$2" --tmpdir "$1/tmp" pull -q --tls-verify=false "$IMAGE"
}

for i in $(seq "$PULL_RUNS"); do
  d=$work/pull/shim-$i
  mkdir -p "$d"
  timed "$work/pull.shim" shim_pull "$d"
  d=$work/pull/skopeo-$i
  mkdir -p "$d"
  timed "$work/pull.skopeo" skopeo_pull "$d"
  timed "$work/pull.umoci" umoci_unpack "$d"
  echo $(($(tail -n1 "$work/pull.skopeo") + $(tail -n1 "$work/pull.umoci"))) >>"$work/pull.skopeo+umoci"
  if [ "$WITH_PODMAN" = yes ]; then
    d=$work/pull/podman-$i
    mkdir -p "$d"
    timed "$work/pull.podman" podman_pull "$d" "$i"
    unmount_under "$d"
    unmount_under "/mnt/p$i"
  fi
  rm -rf "$work/pull"
done

echo "== pull ($PULL_RUNS runs, interleaved, each into a fresh store)"
line "tong-shim pull" "$work/pull.shim"
line "skopeo copy" "$work/pull.skopeo"
line "umoci unpack" "$work/pull.umoci"
line "skopeo + umoci" "$work/pull.skopeo+umoci"
[ "$WITH_PODMAN" = no ] || line "podman pull" "$work/pull.podman"
ratio "$work/pull.shim" "$work/pull.skopeo+umoci" "skopeo+umoci"
[ "$WITH_PODMAN" = no ] || ratio "$work/pull.shim" "$work/pull.podman" "podman"

# ---------------------------------------------------------------- 2. run

ts_ pull --insecure "$IMAGE" >/dev/null
[ "$WITH_PODMAN" = no ] || podman_ pull -q --tls-verify=false "$IMAGE" >/dev/null

for i in $(seq "$RUN_RUNS"); do
  timed "$work/run.shim" ts_ run --rm --net none "$IMAGE" true
  [ "$WITH_PODMAN" = no ] ||
    timed "$work/run.podman" podman_ run --pull never --rm --net none --cgroups=disabled "$IMAGE" true
done

echo "== run --rm IMAGE true ($RUN_RUNS runs, interleaved)"
line "tong-shim (tong)" "$work/run.shim"
if [ "$WITH_PODMAN" = yes ]; then
  line "podman (crun)" "$work/run.podman"
  ratio "$work/run.shim" "$work/run.podman" "podman"
fi
left=$(ts_ ps -a -q)
[ -z "$left" ] || echo "bench: tong-shim left containers: $left" >&2
if [ "$WITH_PODMAN" = yes ]; then
  left=$(podman_ ps -a -q)
  [ -z "$left" ] || echo "bench: podman left containers: $left" >&2
fi
