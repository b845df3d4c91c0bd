# ort_module.sh — sourced by the tests that run onnxruntime-node without
# installing it (ort_generative.sh, ort_variants.sh): sets $mod to the
# package scripts/ort-bench installs (the same pinned version and cache
# folder, IG_ORT_CACHE), or prints "SKIP: ..." and exits 77 where node or
# the package is absent (ort.bench, or one run of scripts/ort-bench,
# installs it).  Needs $src, the source tree.
command -v node >/dev/null 2>&1 || { echo "SKIP: node not found"; exit 77; }
version=$(sed -n 's/^ORT_VERSION=//p' "$src/scripts/ort-bench")
[ -n "$version" ] || { echo "FAIL: no ORT_VERSION in $src/scripts/ort-bench"; exit 1; }
cache=${IG_ORT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/infergate/onnxruntime-node-$version}
mod=$cache/node_modules/onnxruntime-node
[ -f "$mod/package.json" ] ||
    { echo "SKIP: onnxruntime-node $version not installed in $cache (scripts/ort-bench installs it)"; exit 77; }
