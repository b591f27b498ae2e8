# User namespaces seen from inside and from the host: root inside is an
# unprivileged uid outside; idmapped mounts translate owners for one mount.

# _userns_bundle DIR: a bundle whose container has a user namespace mapping
# container 0..65535 to host 100000..165535, its rootfs owned accordingly.
_userns_bundle ()
{
  make_bundle "$1"
  cfg_ns "$1" user
  cfg_set "$1" '.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
    | .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]'
  chown -R 100000:100000 "$1/rootfs"
}

test_userns_root_inside_is_mapped ()
{
  _userns_bundle "$T/b"
  local out
  out=$(in_container "$T/b" 'id -u; id -g; cat /proc/self/uid_map; stat -c %u:%g /bin/busybox')
  assert_eq "$(sed -n 1p <<<"$out")" 0 "uid inside"
  assert_eq "$(sed -n 2p <<<"$out")" 0 "gid inside"
  assert_eq "$(sed -n 3p <<<"$out" | awk '{print $1, $2, $3}')" "0 100000 65536" "uid_map"
  assert_eq "$(sed -n 4p <<<"$out")" 0:0 "the rootfs owned by 100000 is root's inside"
  assert_no_containers
}

test_userns_host_file_is_nobodys_and_not_writable ()
{
  _userns_bundle "$T/b"
  echo host >"$T/hostfile"
  chmod 0644 "$T/hostfile"
  cfg_mount "$T/b" "{\"destination\": \"/hostfile\", \"type\": \"bind\", \"source\": \"$T/hostfile\", \"options\": [\"bind\", \"rw\"]}"
  local out
  out=$(in_container "$T/b" 'stat -c %u /hostfile; echo intruder >>/hostfile 2>&1 || echo refused')
  assert_eq "$(sed -n 1p <<<"$out")" 65534 "an unmapped owner shows as the overflow uid"
  assert_contains "$out" "refused"
  assert_eq "$(cat "$T/hostfile")" host "the host's file is unchanged"
  assert_no_containers
}

test_userns_created_files_belong_to_the_mapped_host_uid ()
{
  _userns_bundle "$T/b"
  mkdir "$T/data"
  chown 100000:100000 "$T/data"
  cfg_mount "$T/b" "{\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"$T/data\", \"options\": [\"rbind\"]}"
  in_container "$T/b" 'echo x >/data/new; mkdir /data/dir' >/dev/null
  assert_eq "$(stat -c %u:%g "$T/data/new")" 100000:100000 "owner on the host of a file created inside"
  assert_eq "$(stat -c %u:%g "$T/data/dir")" 100000:100000 "owner on the host of a directory created inside"
  assert_no_containers
}

# An idmapped mount: host uid/gid 1000 on disk is seen through the mount as
# 100000, container root, and root's new files land on disk as 1000.
test_userns_idmapped_mount_maps_owners ()
{
  _userns_bundle "$T/b"
  mkdir "$T/data"
  echo old >"$T/data/old"
  chown -R 1000:1000 "$T/data"
  cfg_mount "$T/b" "{\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"$T/data\",
    \"options\": [\"rbind\"],
    \"uidMappings\": [{\"containerID\": 1000, \"hostID\": 100000, \"size\": 1}],
    \"gidMappings\": [{\"containerID\": 1000, \"hostID\": 100000, \"size\": 1}]}"
  local out
  out=$(in_container "$T/b" 'stat -c %u:%g /data/old; echo new >/data/new; echo more >>/data/old; cat /data/old')
  assert_eq "$(sed -n 1p <<<"$out")" 0:0 "owner inside of a file owned by 1000 on disk"
  assert_contains "$out" more
  assert_eq "$(stat -c %u:%g "$T/data/new")" 1000:1000 "owner on disk of a file created inside"
  assert_no_containers
}

# "idmap" without mappings uses the container's own: the host's root-owned
# directory is root's inside, and stays root's on disk.
test_userns_idmap_option_uses_the_container_mappings ()
{
  _userns_bundle "$T/b"
  mkdir "$T/data"
  cfg_mount "$T/b" "{\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"$T/data\", \"options\": [\"rbind\", \"idmap\"]}"
  local out
  out=$(in_container "$T/b" 'stat -c %u:%g /data; touch /data/new')
  assert_eq "$out" 0:0 "owner inside of a directory owned by host root"
  assert_eq "$(stat -c %u:%g "$T/data/new")" 0:0 "owner on disk of a file created inside"
  assert_no_containers
}

test_userns_idmapped_mount_of_a_file ()
{
  _userns_bundle "$T/b"
  echo content >"$T/file"
  chown 1000:1000 "$T/file"
  cfg_mount "$T/b" "{\"destination\": \"/etc/file\", \"type\": \"bind\", \"source\": \"$T/file\",
    \"options\": [\"bind\"],
    \"uidMappings\": [{\"containerID\": 1000, \"hostID\": 100000, \"size\": 1}],
    \"gidMappings\": [{\"containerID\": 1000, \"hostID\": 100000, \"size\": 1}]}"
  assert_eq "$(in_container "$T/b" 'stat -c %u:%g /etc/file; cat /etc/file')" "0:0
content"
  assert_no_containers
}

test_userns_idmapped_mount_needs_both_mappings ()
{
  _userns_bundle "$T/b"
  mkdir "$T/data"
  cfg_mount "$T/b" "{\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"$T/data\", \"options\": [\"rbind\"],
    \"uidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 1}]}"
  cfg_args "$T/b" true
  assert_fail tong run --bundle "$T/b" c1
  assert_contains "$ERR" "gidMappings"
  assert_contains "$ERR" "mounts["
  assert_no_containers
}

test_userns_idmapped_mount_must_be_a_bind ()
{
  _userns_bundle "$T/b"
  cfg_mount "$T/b" '{"destination": "/data", "type": "tmpfs", "source": "tmpfs", "options": ["idmap"]}'
  cfg_args "$T/b" true
  assert_fail tong run --bundle "$T/b" c1
  assert_contains "$ERR" "bind"
  assert_no_containers
}

# "rro" makes the mounts below a bind read-only too, where "ro" would not.
test_userns_rro_covers_submounts ()
{
  mkdir -p "$T/src/sub"
  mount -t tmpfs tmpfs "$T/src/sub"
  on_exit "umount -l '$T/src/sub'"
  _userns_bundle "$T/b"
  cfg_mount "$T/b" "{\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"$T/src\", \"options\": [\"rbind\", \"rro\"]}"
  cfg_mount "$T/b" "{\"destination\": \"/data2\", \"type\": \"bind\", \"source\": \"$T/src\", \"options\": [\"rbind\", \"ro\"]}"
  local out
  out=$(in_container "$T/b" 'touch /data/sub/x 2>&1 || echo rro-refused; touch /data2/sub/y && echo ro-allowed')
  assert_contains "$out" "Read-only file system"
  assert_contains "$out" "rro-refused"
  assert_contains "$out" "ro-allowed"
  assert_no_containers
}

test_userns_features_report_idmap ()
{
  assert_json "$(tong features)" '.linux.mountExtensions.idmap.enabled == true'
}
