# Mounts and the root filesystem: mount types and options, bind sources,
# read-only root, masked and read-only paths, /dev, sysctls, and symlinks in
# the rootfs that must never redirect a mount to the host.

# A shell snippet for the container: print "FSTYPE MOUNT-OPTIONS SUPER-OPTIONS"
# of the topmost mount on $1.
_mnt ()
{
  printf '%s' "awk -v m='$1' '\$5 == m { for (i = 7; \$i != \"-\"; i++) ; r = \$(i + 1) \" \" \$6 \" \" \$(i + 3) } END { print r }' /proc/self/mountinfo"
}

test_mounts_tmpfs_size_and_mode ()
{
  make_bundle "$T/b"
  cfg_mount "$T/b" '{"destination": "/data", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m", "mode=1777"]}'
  local out
  out=$(in_container "$T/b" "stat -c %a /data; $(_mnt /data)")
  assert_eq "$(sed -n 1p <<<"$out")" 1777 "mode of /data"
  assert_match "$(sed -n 2p <<<"$out")" '^tmpfs .* (.*,)?size=1024k(,|$)'
  assert_no_containers
}

test_mounts_nosuid_nodev_noexec ()
{
  make_bundle "$T/b"
  cfg_mount "$T/b" '{"destination": "/data", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "noexec"]}'
  cfg_mount "$T/b" '{"destination": "/data2", "type": "tmpfs", "source": "tmpfs", "options": ["suid", "dev", "exec"]}'
  local out opts
  out=$(in_container "$T/b" "$(_mnt /data); $(_mnt /data2)")
  opts=$(sed -n 1p <<<"$out" | cut -d' ' -f2)
  assert_match "$opts" '(^|,)nosuid(,|$)'
  assert_match "$opts" '(^|,)nodev(,|$)'
  assert_match "$opts" '(^|,)noexec(,|$)'
  opts=$(sed -n 2p <<<"$out" | cut -d' ' -f2)
  assert_not_contains "$opts" nosuid
  assert_not_contains "$opts" nodev
  assert_not_contains "$opts" noexec
  # noexec is enforced
  out=$(in_container "$T/b" 'cp /bin/busybox /data/bb; /data/bb true 2>/dev/null && echo ran || echo denied')
  assert_eq "$out" denied
  assert_no_containers
}

test_mounts_bind_ro ()
{
  mkdir "$T/src"
  echo hello >"$T/src/f"
  make_bundle "$T/b"
  cfg_mount "$T/b" "$(jq -n --arg s "$T/src" '{destination: "/mnt/ro", type: "bind", source: $s, options: ["bind", "ro"]}')"
  local out
  out=$(in_container "$T/b" "cat /mnt/ro/f; touch /mnt/ro/new 2>/dev/null && echo writable || echo read-only; $(_mnt /mnt/ro)")
  assert_eq "$(sed -n 1p <<<"$out")" hello
  assert_eq "$(sed -n 2p <<<"$out")" read-only
  assert_match "$(sed -n 3p <<<"$out" | cut -d' ' -f2)" '^ro(,|$)'
  assert_no_file "$T/src/new"
  assert_no_containers
}

test_mounts_bind_rw ()
{
  mkdir "$T/src"
  make_bundle "$T/b"
  cfg_mount "$T/b" "$(jq -n --arg s "$T/src" '{destination: "/mnt/rw", type: "bind", source: $s, options: ["bind", "rw"]}')"
  in_container "$T/b" 'echo written > /mnt/rw/new'
  assert_eq "$(cat "$T/src/new")" written
  assert_no_containers
}

test_mounts_bind_file ()
{
  echo content >"$T/file"
  make_bundle "$T/b"
  cfg_mount "$T/b" "$(jq -n --arg s "$T/file" '{destination: "/etc/bound-file", type: "bind", source: $s, options: ["rbind", "ro"]}')"
  assert_eq "$(in_container "$T/b" 'cat /etc/bound-file')" content
  assert_no_containers
}

test_mounts_rbind_includes_submounts ()
{
  mkdir -p "$T/src/sub"
  mount -t tmpfs tmpfs "$T/src/sub"
  on_exit "umount -l '$T/src/sub'"
  echo in-submount >"$T/src/sub/f"
  make_bundle "$T/b"
  cfg_mount "$T/b" "$(jq -n --arg s "$T/src" '{destination: "/r", type: "bind", source: $s, options: ["rbind"]}')"
  cfg_mount "$T/b" "$(jq -n --arg s "$T/src" '{destination: "/nr", type: "bind", source: $s, options: ["bind"]}')"
  local out
  out=$(in_container "$T/b" 'cat /r/sub/f; ls -A /nr/sub | wc -l')
  assert_eq "$(sed -n 1p <<<"$out")" in-submount "rbind carries the submount"
  assert_eq "$(sed -n 2p <<<"$out")" 0 "a plain bind does not"
  assert_no_containers
}

test_mounts_relative_bind_source ()
{
  make_bundle "$T/b"
  mkdir "$T/b/hostdata"
  echo relative >"$T/b/hostdata/f"
  cfg_mount "$T/b" '{"destination": "/mnt/rel", "type": "bind", "source": "hostdata", "options": ["bind"]}'
  # the source is relative to the bundle, not to the caller's directory
  assert_eq "$(cd / && in_container "$T/b" 'cat /mnt/rel/f')" relative
  assert_no_containers
}

test_mounts_bind_missing_source_fails ()
{
  make_bundle "$T/b" true
  cfg_mount "$T/b" "$(jq -n --arg s "$T/nonexistent" '{destination: "/mnt/x", type: "bind", source: $s, options: ["bind"]}')"
  assert_fail tong run --bundle "$T/b" c1
  assert_contains "$ERR" "$T/nonexistent"
  assert_no_containers
}

test_mounts_default_filesystems ()
{
  make_bundle "$T/b"
  local out
  out=$(in_container "$T/b" "$(_mnt /proc); $(_mnt /sys); $(_mnt /dev); $(_mnt /dev/pts); $(_mnt /dev/shm); $(_mnt /dev/mqueue)")
  assert_match "$(sed -n 1p <<<"$out")" '^proc '
  assert_match "$(sed -n 2p <<<"$out")" '^sysfs ro(,|$)'
  assert_match "$(sed -n 3p <<<"$out")" '^tmpfs '
  assert_match "$(sed -n 4p <<<"$out")" '^devpts '
  assert_match "$(sed -n 5p <<<"$out")" '^tmpfs '
  assert_match "$(sed -n 6p <<<"$out")" '^mqueue '
  assert_no_containers
}

test_mounts_sysfs_read_only ()
{
  make_bundle "$T/b"
  assert_eq "$(in_container "$T/b" 'touch /sys/kernel/x 2>/dev/null && echo writable || echo read-only')" read-only
}

test_mounts_cgroup2 ()
{
  make_bundle "$T/b"
  cfg_ns "$T/b" cgroup
  cfg_set "$T/b" '.mounts = [.mounts[] | select(.destination != "/sys/fs/cgroup")]
    + [{destination: "/sys/fs/cgroup", type: "cgroup2", source: "cgroup2", options: ["nosuid", "noexec", "nodev", "ro"]}]'
  local out
  out=$(in_container "$T/b" "$(_mnt /sys/fs/cgroup); test -e /sys/fs/cgroup/cgroup.procs && echo has-procs")
  assert_match "$(sed -n 1p <<<"$out")" '^cgroup2 ro,'
  assert_eq "$(sed -n 2p <<<"$out")" has-procs
  assert_no_containers
}

test_mounts_readonly_root ()
{
  make_bundle "$T/b"
  cfg_set "$T/b" '.root.readonly = true'
  local out
  out=$(in_container "$T/b" "touch /x 2>/dev/null && echo writable || echo read-only; $(_mnt /); echo ok > /dev/null && echo dev-ok")
  assert_eq "$(sed -n 1p <<<"$out")" read-only
  assert_match "$(sed -n 2p <<<"$out" | cut -d' ' -f2)" '^ro(,|$)'
  assert_eq "$(sed -n 3p <<<"$out")" dev-ok
  assert_no_file "$T/b/rootfs/x"
  assert_no_containers
}

test_mounts_masked_paths ()
{
  make_bundle "$T/b"
  echo secret >"$T/b/rootfs/secret.txt"
  mkdir "$T/b/rootfs/secretdir"
  echo secret >"$T/b/rootfs/secretdir/f"
  cfg_set "$T/b" '.linux.maskedPaths = ["/secret.txt", "/secretdir", "/does/not/exist"]'
  local out
  out=$(in_container "$T/b" 'cat /secret.txt; ls -A /secretdir; wc -c < /secret.txt; echo end')
  assert_eq "$out" "$(printf '0\nend')"
  # the files themselves are untouched
  assert_eq "$(cat "$T/b/rootfs/secret.txt")" secret
  assert_no_containers
}

test_mounts_readonly_paths ()
{
  make_bundle "$T/b"
  mkdir "$T/b/rootfs/rodir"
  cfg_set "$T/b" '.linux.readonlyPaths = ["/rodir", "/proc/sys", "/does/not/exist"]'
  local out
  out=$(in_container "$T/b" "touch /rodir/x 2>/dev/null && echo writable || echo read-only; touch /other && echo rest-writable; $(_mnt /proc/sys)")
  assert_eq "$(sed -n 1p <<<"$out")" read-only
  assert_eq "$(sed -n 2p <<<"$out")" rest-writable
  assert_match "$(sed -n 3p <<<"$out" | cut -d' ' -f2)" '^ro(,|$)'
  assert_no_file "$T/b/rootfs/rodir/x"
  assert_no_containers
}

test_mounts_default_devices ()
{
  make_bundle "$T/b"
  local out
  out=$(in_container "$T/b" 'for d in null zero full random urandom tty; do stat -c "%n %F %t:%T" /dev/$d; done
    head -c 4 /dev/zero | wc -c; echo x > /dev/null && echo null-ok; test -e /dev/ptmx && echo ptmx')
  assert_eq "$out" "$(printf '%s\n' \
    '/dev/null character special file 1:3' \
    '/dev/zero character special file 1:5' \
    '/dev/full character special file 1:7' \
    '/dev/random character special file 1:8' \
    '/dev/urandom character special file 1:9' \
    '/dev/tty character special file 5:0' \
    4 null-ok ptmx)"
  assert_no_containers
}

test_mounts_dev_symlinks ()
{
  make_bundle "$T/b"
  local out
  out=$(in_container "$T/b" 'for l in fd stdin stdout stderr; do readlink /dev/$l; done')
  assert_eq "$out" "$(printf '%s\n' /proc/self/fd /proc/self/fd/0 /proc/self/fd/1 /proc/self/fd/2)"
  assert_no_containers
}

test_mounts_linux_devices ()
{
  make_bundle "$T/b"
  cfg_set "$T/b" '.linux.devices = [{path: "/dev/mynull", type: "c", major: 1, minor: 3, fileMode: 384, uid: 0, gid: 0}]'
  assert_eq "$(in_container "$T/b" 'stat -c "%F %t:%T %a %u:%g" /dev/mynull')" "character special file 1:3 600 0:0"
  assert_no_containers
}

test_mounts_sysctl_in_new_netns ()
{
  make_bundle "$T/b"
  cfg_set "$T/b" '.linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.shmmni": "1000"}'
  local before out
  before=$(cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni)
  # In a throw-away network namespace of our own, so that a runtime writing
  # to its own namespace by mistake changes nothing on the host.
  cfg_args "$T/b" sh -c 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni'
  out=$(unshare --net sh -c '"$@" </dev/null; echo outer=$(cat /proc/sys/net/ipv4/ip_forward)' sh \
    "$TONG" --root "$ROOT" run --bundle "$T/b" c2)
  assert_eq "$out" "$(printf '1\n1000\nouter=0')"
  assert_eq "$(cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni)" "$before" "host sysctls unchanged"
  assert_no_containers
}

test_mounts_sysctl_not_allowed ()
{
  make_bundle "$T/b" true
  cfg_no_ns "$T/b" network
  cfg_set "$T/b" '.linux.sysctl = {"net.ipv4.ip_forward": "1"}'
  # net.* needs a network namespace of the container's own
  run_cmd unshare --net sh -c '"$@" </dev/null; echo outer=$(cat /proc/sys/net/ipv4/ip_forward)' sh \
    "$TONG" --root "$ROOT" run --bundle "$T/b" c1
  assert_contains "$ERR" net.ipv4.ip_forward
  assert_eq "$OUT" outer=0 "the outer namespace is unchanged"
  assert_no_containers

  # fs.file-max belongs to no namespace at all (the value is the host's own,
  # so that a runtime that wrote it anyway would change nothing)
  local fm
  fm=$(cat /proc/sys/fs/file-max)
  make_bundle "$T/b2" true
  cfg_set "$T/b2" '.linux.sysctl = {"fs.file-max": $v}' --arg v "$fm"
  assert_fail tong run --bundle "$T/b2" c2
  assert_contains "$ERR" fs.file-max
  assert_no_containers
}

# The symlink escape: a mount destination that goes through a symlink in the
# rootfs must be resolved inside the rootfs, never on the host.
_escape_check ()
{
  local name=$1
  if [ -e "/etc/$name" ] || [ -L "/etc/$name" ]; then
    umount -l "/etc/$name" 2>/dev/null || true
    rm -rf "/etc/$name"
    fail "the runtime created /etc/$name on the host"
  fi
  if grep -q "/etc/$name" /proc/self/mountinfo; then
    fail "the runtime mounted over /etc/$name on the host"
  fi
}

test_mounts_symlink_escape_absolute ()
{
  local name="tong-escape-$$"
  on_exit "umount -l /etc/$name; rm -rf /etc/$name"
  make_bundle "$T/b" true
  ln -s /etc "$T/b/rootfs/etcx"
  cfg_mount "$T/b" "$(jq -n --arg d "/etcx/$name" '{destination: $d, type: "tmpfs", source: "tmpfs", options: ["size=1m"]}')"
  run_cmd tong run --bundle "$T/b" c1
  _escape_check "$name"
  # where it belongs: inside the rootfs (if the runtime accepted the spec)
  if [ "$RC" -eq 0 ]; then assert_file "$T/b/rootfs/etc/$name"; fi
  assert_no_containers
}

test_mounts_symlink_escape_relative ()
{
  local name="tong-escape-$$"
  on_exit "umount -l /etc/$name; rm -rf /etc/$name"
  make_bundle "$T/b" true
  mkdir -p "$T/b/rootfs/a/b"
  ln -s ../../../../../../../../../../etc "$T/b/rootfs/a/b/etcy"
  cfg_mount "$T/b" "$(jq -n --arg d "/a/b/etcy/$name" '{destination: $d, type: "tmpfs", source: "tmpfs"}')"
  run_cmd tong run --bundle "$T/b" c1
  _escape_check "$name"
  if [ "$RC" -eq 0 ]; then assert_file "$T/b/rootfs/etc/$name"; fi
  assert_no_containers
}

test_mounts_symlink_escape_bind_file ()
{
  local name="tong-escape-$$"
  on_exit "umount -l /etc/$name; rm -rf /etc/$name"
  echo payload >"$T/payload"
  make_bundle "$T/b" true
  ln -s /etc "$T/b/rootfs/etcx"
  cfg_mount "$T/b" "$(jq -n --arg d "/etcx/$name" --arg s "$T/payload" '{destination: $d, type: "bind", source: $s, options: ["bind"]}')"
  run_cmd tong run --bundle "$T/b" c1
  _escape_check "$name"
  assert_no_containers
}

test_mounts_symlink_escape_device ()
{
  local name="tong-escape-$$"
  on_exit "umount -l /etc/$name; rm -rf /etc/$name"
  make_bundle "$T/b" true
  # /dev is a tmpfs of the container's own; a device path through a symlink
  # that the rootfs plants elsewhere must stay inside as well
  ln -s /etc "$T/b/rootfs/etcx"
  cfg_set "$T/b" '.linux.devices = [{path: ("/etcx/" + $n), type: "c", major: 1, minor: 3, fileMode: 438}]' --arg n "$name"
  run_cmd tong run --bundle "$T/b" c1
  _escape_check "$name"
  assert_no_containers
}

test_mounts_symlink_mountpoint_in_rootfs_followed_inside ()
{
  # A legitimate symlink (like /var/run -> /run in images) is followed within
  # the rootfs: the mount lands on the target inside the container.
  make_bundle "$T/b"
  mkdir -p "$T/b/rootfs/real"
  ln -s /real "$T/b/rootfs/link"
  cfg_mount "$T/b" '{"destination": "/link/data", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}'
  local out
  out=$(in_container "$T/b" "$(_mnt /real/data)")
  assert_match "$out" '^tmpfs '
  assert_no_containers
}

test_mounts_overlay_on_root_with_relative_options ()
{
  make_bundle "$T/b"
  mkdir -p "$T/b/up" "$T/b/wk"
  # Mounted first, over the root; lowerdir= and friends are the bundle's.
  cfg_set "$T/b" '.mounts = [{"destination": "/", "type": "overlay", "source": "overlay",
      "options": ["lowerdir=rootfs", "upperdir=up", "workdir=wk"]}] + .mounts | .root.readonly = false'
  local out
  out=$(in_container "$T/b" "echo new >/written-above && cat /written-above; grep ' / / ' /proc/self/mountinfo | grep -c ' - overlay '; test -d /proc/self && echo proc-ok")
  assert_eq "$(sed -n 1p <<<"$out")" new
  assert_eq "$(sed -n 2p <<<"$out")" 1 "the root is the overlay"
  assert_contains "$out" proc-ok
  assert_file "$T/b/up/written-above"
  assert_no_file "$T/b/rootfs/written-above"
  assert_no_containers
}

test_mounts_on_root_must_come_first ()
{
  make_bundle "$T/b"
  cfg_mount "$T/b" '{"destination": "/", "type": "tmpfs", "source": "tmpfs"}'
  assert_fail "$TONG" --root "$ROOT" run --bundle "$T/b" ctr-$$
  assert_contains "$ERR" "a mount on \`/\` replaces the root and must come first"
  assert_no_containers
}

# A mount the spec gets wrong is refused from the plan the runtime makes
# before the clone: no init is started, no state directory made (traced),
# and the error names the entry as it always did.
test_mounts_wrong_entry_fails_before_anything_is_made ()
{
  command -v strace >/dev/null || skip "strace is not installed (tests/ci.sh installs it)"
  local m expect n=0
  while IFS='|' read -r m expect; do
    n=$((n + 1))
    rm -rf "$T/b"
    make_bundle "$T/b" true
    cfg_mount "$T/b" '{"destination": "/ok", "type": "tmpfs", "source": "tmpfs"}'
    cfg_mount "$T/b" "$m"
    run_cmd strace -f -qq -o "$T/trace.$n" -e trace=clone,clone3,fork,vfork,mkdir,mkdirat \
      "$TONG" --root "$ROOT" create --bundle "$T/b" "ctr-$$-$n"
    assert_ne "$RC" 0 "create with $m"
    assert_contains "$ERR" "$expect"
    if grep -E 'clone3?\(|fork\(' "$T/trace.$n" >/dev/null; then
      fail "create of $m started a process before refusing it: $(grep -E 'clone|fork' "$T/trace.$n" | head -3)"
    fi
    if grep -F "ctr-$$-$n" "$T/trace.$n" | grep -q mkdir; then
      fail "create of $m made its state directory before refusing it"
    fi
  done <<'CASES'
{"destination": "", "type": "tmpfs"}|]: a mount has no destination
{"destination": "/", "type": "tmpfs"}|]: a mount on `/` replaces the root and must come first
{"destination": "/x"}|]: mount on `/x` has no type
{"destination": "/x", "type": "bind"}|]: bind mount on `/x` has no source
CASES
  assert_no_containers
}
