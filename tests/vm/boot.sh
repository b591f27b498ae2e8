# The host side shared by the VM suites (tests/vm/run.sh, tests/vm/systemd.sh),
# sourced after they have set PASSED, FAILED, SKIPPED, START, TIMEOUT and
# defined finish.  The guest reports on its second serial port: a line
# "TONG-VM-INIT UPTIME" when the tests start, "TONG-VM-INFO TEXT", the
# PASS/FAIL/SKIP lines of tests/run.sh, and "TONG-VM-DONE STATUS" last.

# vm_kernel: the cached kernel package's directory in KERNEL_DIR and its
# image in VMLINUZ; prints the fetcher's messages as `vm:` lines.  Returns 1
# (with the reason in VM_NO_KERNEL) when there is none.
vm_kernel ()
{
  local log
  log=$(mktemp "${TMPDIR:-/tmp}/tong-vm-kernel.XXXXXX") || return 1
  if ! KERNEL_DIR=$("$VM_DIR/kernel.sh" 2>"$log"); then
    VM_NO_KERNEL=$(tail -n1 "$log")
    rm -f "$log"
    return 1
  fi
  sed 's/^/vm: /' "$log"
  rm -f "$log"
  VMLINUZ=$(ls "$KERNEL_DIR"/boot/vmlinuz-* | head -n1)
}

# vm_workdir PREFIX: a work directory in WORK, removed at exit unless a test
# failed or TONG_VM_KEEP=1; a qemu still running (QPID) is killed.
vm_workdir ()
{
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX") || exit 2
  QPID=
  trap _vm_cleanup EXIT
  trap 'exit 130' INT TERM
}

_vm_cleanup ()
{
  [ -z "$QPID" ] || kill "$QPID" 2>/dev/null
  if [ "${TONG_VM_KEEP:-0}" = 1 ] || [ "$FAILED" -gt 0 ]; then
    echo "vm: logs kept in $WORK" >&2
  else
    rm -rf "$WORK"
  fi
}

# The console's text without carriage returns and the firmware's escapes.
_vm_console_tail ()
{
  tail -n 40 "$WORK/console.log" | sed 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1bc//g; s/\r$//; s/^/    /'
}

_vm_elapsed () { echo "$(date +%s.%N) $1" | awk '{printf "%.1f", $1 - $2}'; }

# vm_boot NAME WHAT-STARTS-THE-TESTS KERNEL-ARGS...: boot $WORK/initramfs.cpio
# with VMLINUZ, print and count the results, and report a VM that panicked,
# timed out or stopped early as a FAIL named NAME.
_vm_boot_once ()
{
  local name=$1 starter=$2 line init_host='' done='' summary=0 qrc panic boot_start
  shift 2
  : >"$WORK/results"
  boot_start=$(date +%s.%N)
  timeout -k 10 "$TIMEOUT" qemu-system-x86_64 -accel "${TONG_VM_ACCEL:-tcg}" \
    -m "${TONG_VM_MEMORY:-1G}" -smp "${TONG_VM_SMP:-2}" \
    -nographic -no-reboot -monitor none -nic none \
    -serial "file:$WORK/console.log" -serial "file:$WORK/results" \
    -kernel "$VMLINUZ" -initrd "$WORK/initramfs.cpio" \
    -append "console=ttyS0 panic=-1 quiet oops=panic rdinit=/init $*" \
    </dev/null >"$WORK/qemu.log" 2>&1 &
  QPID=$!
  # A boot that never reaches init (TCG has been seen to stall before the
  # kernel prints anything): stopped after TONG_VM_BOOT_TIMEOUT seconds.  Its
  # sleep outlives the kill below, so it must not hold our stdout: a reader
  # of that pipe (tests/run.sh) would wait for the sleep to end.
  (
    sleep "${TONG_VM_BOOT_TIMEOUT:-120}"
    grep -q '^TONG-VM-INIT ' "$WORK/results" 2>/dev/null || { : >"$WORK/boot-stalled"; kill "$QPID"; }
  ) >/dev/null 2>&1 &
  local watchdog=$!
  while IFS= read -r line; do
    line=${line%$'\r'}
    case $line in
    "TONG-VM-INIT "*)
      init_host=$(_vm_elapsed "$boot_start")
      echo "vm: $starter started the tests ${init_host} s after qemu (kernel uptime ${line#TONG-VM-INIT } s)"
      ;;
    "TONG-VM-INFO "*) echo "vm: ${line#TONG-VM-INFO }" ;;
    "TONG-VM-DONE "*) done=${line#TONG-VM-DONE } ;;
    "PASS "*) PASSED=$((PASSED + 1)); summary=0; echo "$line" ;;
    "SKIP "*) SKIPPED=$((SKIPPED + 1)); summary=0; echo "$line" ;;
    "FAIL "*) FAILED=$((FAILED + 1)); summary=0; echo "$line" ;;
    # tests/run.sh's own summary: we count for ourselves.
    failed:) summary=1 ;;
    [0-9]*" passed, "*" failed"*) summary=1 ;;
    "") ;;
    *) [ $summary = 1 ] || printf '%s\n' "$line" ;;
    esac
  done < <(tail -s 0.2 -n +1 -F --pid="$QPID" "$WORK/results" 2>/dev/null)
  wait "$QPID"
  qrc=$?
  QPID=
  kill "$watchdog" 2>/dev/null
  wait "$watchdog" 2>/dev/null
  if [ -z "$init_host" ] && [ -e "$WORK/boot-stalled" ] && [ "${VM_BOOT_TRY:-1}" = 1 ]; then
    rm -f "$WORK/boot-stalled"
    echo "vm: $name: no init after ${TONG_VM_BOOT_TIMEOUT:-120} s (a stalled boot): booting again"
    return 2
  fi

  if [ -z "$done" ]; then
    FAILED=$((FAILED + 1))
    panic=$(grep -a -m1 -E 'Kernel panic|BUG:|Oops' "$WORK/console.log" | tr -d '\r')
    if [ -n "$panic" ]; then
      echo "FAIL $name: kernel panic: $panic"
    elif [ -e "$WORK/boot-stalled" ]; then
      echo "FAIL $name: the VM did not reach $starter within ${TONG_VM_BOOT_TIMEOUT:-120} s, twice"
    elif [ $qrc -eq 124 ] || [ $qrc -eq 137 ]; then
      echo "FAIL $name: the VM did not finish within ${TIMEOUT} s (TONG_VM_TIMEOUT)"
    elif [ -z "$init_host" ]; then
      echo "FAIL $name: the VM stopped before $starter started the tests (qemu exit status $qrc)"
    else
      echo "FAIL $name: the VM stopped before the tests finished (qemu exit status $qrc)"
    fi
    _vm_console_tail
    [ ! -s "$WORK/qemu.log" ] || { echo "    qemu:"; sed 's/^/    /' "$WORK/qemu.log"; }
  elif [ "$done" != 0 ] && [ "$FAILED" -eq 0 ]; then
    FAILED=$((FAILED + 1))
    echo "FAIL $name: tests/run.sh in the VM exited with status $done"
    _vm_console_tail
  fi
  echo "vm: whole run $(_vm_elapsed "$boot_start") s (boot to the tests ${init_host:-?} s), $((SECONDS - START)) s with the kernel and initramfs"
}

# vm_boot NAME STARTER [KERNEL-ARGS...]: boot the VM and count its results;
# a boot that stalls before init is tried once more.
vm_boot ()
{
  VM_BOOT_TRY=1 _vm_boot_once "$@"
  [ $? -eq 2 ] || return 0
  VM_BOOT_TRY=2 _vm_boot_once "$@"
}
