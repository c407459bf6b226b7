# The paths tdev's scripts use, sourced by them: the rules of tdev_app::Layout (`tdev paths`
# prints them), restated for the shell; tests/layout.rs checks that both give the same paths.
# An empty variable counts as unset, as the XDG specification asks.
tdev_cache=${TDEV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tdev}
tdev_tools=${TDEV_TOOLS_DIR:-$tdev_cache/tools}
tdev_test_envs=${TDEV_TEST_ENVS:-$tdev_cache/test-envs}
tdev_datasets=${TDEV_DATASETS:-$tdev_cache/datasets}
tdev_user_data=${XDG_DATA_HOME:-$HOME/.local/share}/tdev/data
# What the scripts alone use: the Python environment tdev's output is checked with, the local
# model the LLM backend's end-to-end tests talk to (scripts/local-model), and the build
# directory of tdev itself (cargo's own setting first).
tdev_venv=$tdev_cache/venv
tdev_local_model=${TDEV_LOCAL_MODEL:-$tdev_cache/local-model}
tdev_build=${CARGO_TARGET_DIR:-$tdev_cache/target}
