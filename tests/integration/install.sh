#!/bin/sh
# install.sh — an installed infergate, away from the source and build trees
# (docs/embedding.md, "Building and linking"):
#   1. `cmake --install` into a temporary prefix, then the prefix is moved
#      (the .pc files, the CMake package and the binary's data directory
#      must all follow it);
#   2. the example application (the installed copy of examples/app/main.c)
#      built with `pkg-config --cflags --libs infergate`, and again with
#      CMake's find_package(infergate), and each run on an installed fixture;
#   3. the installed lab runs a gated cell with IG_FIXTURES and IG_GATES
#      unset: fixtures and gate spec come from <prefix>/share/infergate.
# usage: install.sh BUILD_DIR CC WORK_DIR
set -u
build=$1 cc=$2 work=$3
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$work"
mkdir -p "$work"
cmake --install "$build" --prefix "$work/staged" >"$work/install.log" 2>&1 || fail "cmake --install: $(tail -3 "$work/install.log")"
mv "$work/staged" "$work/prefix"
p=$work/prefix
libdir=$(dirname "$(find "$p" -name 'libinfergate.so' | head -1)")
[ -d "$libdir" ] || fail "no libinfergate.so installed"
for f in "$libdir/pkgconfig/infergate.pc" "$p/share/pkgconfig/infergate-plugin.pc" \
         "$libdir/cmake/infergate/infergateConfig.cmake" "$p/share/infergate/fixtures/manifest.json" \
         "$p/share/infergate/gates/default.json" "$p/share/doc/infergate/examples/app/main.c"; do
    [ -s "$f" ] || fail "not installed: ${f#"$p"/}"
done
model=$p/share/infergate/fixtures/mlp-intent/model.onnx
export LD_LIBRARY_PATH=$libdir

# pkg-config: the library's .pc names the library; the plugin one does not.
if command -v pkg-config >/dev/null; then
    export PKG_CONFIG_PATH=$libdir/pkgconfig:$p/share/pkgconfig
    libs=$(pkg-config --libs infergate) || fail "pkg-config infergate failed"
    echo "pkg-config --libs infergate: $libs"
    echo "$libs" | grep -q -- '-linfergate' || fail "pkg-config --libs infergate does not link the library"
    [ -z "$(pkg-config --libs infergate-plugin)" ] || fail "infergate-plugin.pc should link nothing"
    # shellcheck disable=SC2046
    "$cc" -std=c11 -Wall -Werror -O2 "$p/share/doc/infergate/examples/app/main.c" \
        $(pkg-config --cflags --libs infergate) -o "$work/app-pc" 2>"$work/cc.log" ||
        fail "build with pkg-config: $(cat "$work/cc.log")"
    "$work/app-pc" -m mlp-intent "$model" >"$work/app-pc.out" 2>&1 || fail "app (pkg-config) exited $?: $(tail -3 "$work/app-pc.out")"
    echo "PASS: built and ran with pkg-config"
else
    echo "pkg-config not installed: that build skipped"
fi

# CMake: find_package(infergate) and the imported target.
mkdir -p "$work/cmake-app"
cp "$p/share/doc/infergate/examples/app/main.c" "$work/cmake-app/"
cat >"$work/cmake-app/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.18)
project(ig_app LANGUAGES C)
find_package(infergate 0 REQUIRED)
add_executable(app main.c)
target_link_libraries(app PRIVATE infergate::infergate)
CM
cmake -S "$work/cmake-app" -B "$work/cmake-app/build" -DCMAKE_PREFIX_PATH="$p" -DCMAKE_C_COMPILER="$cc" \
    >"$work/cmake.log" 2>&1 && cmake --build "$work/cmake-app/build" >>"$work/cmake.log" 2>&1 ||
    fail "build with find_package: $(tail -5 "$work/cmake.log")"
"$work/cmake-app/build/app" -m mlp-intent "$model" >"$work/app-cmake.out" 2>&1 ||
    fail "app (find_package) exited $?: $(tail -3 "$work/app-cmake.out")"
echo "PASS: built and ran with find_package(infergate)"

# The installed lab: no IG_FIXTURES, no IG_GATES, run from an empty folder.
mkdir -p "$work/empty"
(cd "$work/empty" && env -u IG_FIXTURES -u IG_GATES "$p/bin/infergate" run -b reference -m mlp-intent \
    --gates C --profile ci --no-progress -o "$work/run" >"$work/run.log" 2>&1)
rc=$?
[ $rc -le 1 ] || fail "installed infergate run exited $rc: $(tail -5 "$work/run.log")"
rp=$(cd "$p" && pwd -P)
grep -q "\"path\":\"$rp/share/infergate/fixtures/mlp-intent/model.onnx\"" "$work/run/run.json" ||
    fail "the model was not read from $rp/share/infergate/fixtures"
grep -q "\"spec\":\"$rp/share/infergate/gates/default.json\"" "$work/run/run.json" ||
    fail "the gate spec was not read from $rp/share/infergate/gates"
echo "PASS: the installed lab ran from $rp/share/infergate"
