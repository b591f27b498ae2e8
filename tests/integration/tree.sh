# The source tree itself: the layering of its rooms (docs/layout.md,
# scripts/check-layers.sh, part of `make lint`) and its formatting
# (scripts/format-check.sh, `make format-check`).

_src () { dirname "$TESTS_DIR"; }

# A copy of the C sources and the checking scripts in $T/tree.
_tree_copy ()
{
  local src
  src=$(_src)
  mkdir -p "$T/tree"
  (cd "$src" && find oci src tests scripts -name '*.[ch]' -o -name 'check-layers.sh' -o -name 'format-check.sh' -o -name .clang-format) |
    (cd "$src" && cpio -pdm --quiet "$T/tree") 2>/dev/null
  cp "$src/.clang-format" "$T/tree/"
}

test_tree_includes_follow_the_layers ()
{
  run_cmd "$(_src)/scripts/check-layers.sh" "$(_src)"
  assert_eq "$RC" 0 "scripts/check-layers.sh: $OUT"
}

# The check itself: an include that goes up a layer, or across to another
# subsystem, must fail it and be named.
test_tree_layer_check_catches_an_include_going_up ()
{
  _tree_copy
  run_cmd "$T/tree/scripts/check-layers.sh" "$T/tree"
  assert_eq "$RC" 0 "the copy passes before it is changed: $OUT"
  printf '#include "src/container/state.h"\n' >>"$T/tree/src/base/util.c"
  printf '#include "src/cgroups/cgroup.h"\n' >>"$T/tree/src/netns/net.c"
  printf '#include "src/container/container.h"\n' >>"$T/tree/src/shim/main.c"
  run_cmd "$T/tree/scripts/check-layers.sh" "$T/tree"
  assert_ne "$RC" 0
  assert_contains "$OUT" "src/base/util.c"
  assert_contains "$OUT" "base includes src/container/state.h"
  assert_contains "$OUT" "netns includes src/cgroups/cgroup.h"
  assert_contains "$OUT" "shim includes src/container/container.h"
}

test_tree_sources_are_formatted ()
{
  command -v clang-format >/dev/null || skip "clang-format is not installed (tests/ci.sh installs it)"
  run_cmd "$(_src)/scripts/format-check.sh" "$(_src)"
  assert_eq "$RC" 0 "scripts/format-check.sh: $OUT"
}

test_tree_format_check_catches_a_misformatted_file ()
{
  command -v clang-format >/dev/null || skip "clang-format is not installed (tests/ci.sh installs it)"
  _tree_copy
  printf 'int  tree_test_misformatted(int a){return a;}\n' >>"$T/tree/src/base/dl.c"
  run_cmd "$T/tree/scripts/format-check.sh" "$T/tree"
  assert_ne "$RC" 0
  assert_contains "$OUT" "src/base/dl.c differs"
}
