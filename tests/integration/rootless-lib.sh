# Helpers for the tests run by a user other than root (rootless.sh and
# shim-rootless.sh source this file; it defines no tests itself): a fresh
# user with a subordinate range, and as_user to run commands as it.

# The subordinate range given to the test user (any free range will do).
_RL_SUB_START=200000
_RL_SUB_COUNT=65536

# _rl_kill_user_procs USER: kill what the user still runs (its containers).
_rl_kill_user_procs ()
{
  local uid pid pids i
  uid=$(id -u "$1" 2>/dev/null) || return 0
  for i in 1 2 3 4 5 6 7 8 9 10; do
    pids=$(ps -e -o uid=,pid= | awk -v u="$uid" '$1 == u { print $2 }')
    [ -n "$pids" ] || return 0
    for pid in $pids; do
      kill -9 "$pid" 2>/dev/null || true
    done
    sleep 0.1
  done
}

# _rl_setup: a fresh user RL_USER (uid RL_UID, gid RL_GID, home RL_HOME) with
# a subordinate range, tong and a busybox bundle in its home.  Everything is
# undone when the test ends, /etc/subuid and /etc/subgid (and their backups)
# restored byte for byte.
_rl_setup ()
{
  [ "$(id -u)" = 0 ] || skip "needs root to create a test user"
  command -v useradd >/dev/null && command -v userdel >/dev/null ||
    skip "useradd/userdel not found (package passwd)"
  command -v newuidmap >/dev/null && command -v newgidmap >/dev/null ||
    skip "newuidmap/newgidmap not found (package uidmap)"
  command -v setpriv >/dev/null || skip "setpriv not found (package util-linux)"

  RL_USER=tongtest-$$
  ! id "$RL_USER" >/dev/null 2>&1 || skip "a user $RL_USER exists already"
  local f
  # useradd and userdel keep the previous version as FILE-: restored too.
  for f in subuid subgid subuid- subgid-; do
    if [ -e "/etc/$f" ]; then
      cp -p "/etc/$f" "$T/$f.orig"
      on_exit "cat '$T/$f.orig' >'/etc/$f'"
    else
      on_exit "rm -f '/etc/$f'"
    fi
  done
  # Registered before useradd: the handlers run in reverse, so the user and
  # its processes are gone before the files are restored.
  on_exit "_rl_kill_user_procs '$RL_USER'; userdel -r '$RL_USER'"
  useradd -m -U -s /bin/sh "$RL_USER" >/dev/null 2>&1 || skip "useradd $RL_USER failed"
  RL_UID=$(id -u "$RL_USER")
  RL_GID=$(id -g "$RL_USER")
  RL_HOME=$(getent passwd "$RL_USER" | cut -d: -f6)
  # useradd may have allocated a range itself: ours replaces it.
  for f in subuid subgid; do
    {
      if [ -e "$T/$f.orig" ]; then cat "$T/$f.orig"; fi
      echo "$RL_USER:$_RL_SUB_START:$_RL_SUB_COUNT"
    } >"/etc/$f"
  done

  install -d -o "$RL_UID" -g "$RL_GID" -m 0700 "$RL_HOME/run" "$RL_HOME/bin"
  install -o "$RL_UID" -g "$RL_GID" -m 0755 "$TONG" "$RL_HOME/bin/tong"
  mkdir -p "$RL_HOME/b"
  _copy_rootfs "$RL_HOME/b/rootfs"
  chown -R "$RL_UID:$RL_GID" "$RL_HOME/b"
}

# as_user 'SHELL COMMAND': run it as the test user in its home, with a clean
# environment holding the test's mark (so that the runner sees its processes).
as_user ()
{
  setpriv --reuid "$RL_UID" --regid "$RL_GID" --init-groups \
    env -i HOME="$RL_HOME" USER="$RL_USER" XDG_RUNTIME_DIR="$RL_HOME/run" \
    PATH="$RL_HOME/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin" \
    TONG_TEST_MARK="$TONG_TEST_MARK" \
    sh -c "cd \"\$HOME\" && $1" </dev/null
}

