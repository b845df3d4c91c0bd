# plugin.cmake — the plugin loader, end to end: the example plugin
# (examples/plugin/echo.c) built as a MODULE against the public headers
# only, loaded by path and by IG_PLUGIN_PATH search, deliberately broken
# plugins refused with exit code 2 and an "ABI" message, and a plugin built
# with nothing but an installed copy of the headers (cmake --install).
#
# One file, two roles: include()d from tests/integration/CMakeLists.txt it
# defines the plugin targets and the tests; run with `cmake -P` it is the
# test driver (-DCASE=...), so each case runs in its own process under a
# ctest time limit.

if(NOT CMAKE_SCRIPT_MODE_FILE)
  # ---------------------------------------------------------------- build --
  if(NOT DEFINED IG_ONNX_DATA)
    set(IG_ONNX_DATA /usr/share/libonnx-testdata/data)
  endif()
  set(IG_PLUGIN_DIR ${CMAKE_CURRENT_BINARY_DIR}/plugins)

  # Plugins see ${PROJECT_SOURCE_DIR}/include and nothing else, and link
  # nothing: exactly what an author outside this tree has.
  function(ig_plugin_module target src outname)
    add_library(${target} MODULE ${src})
    target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/include)
    set_target_properties(${target} PROPERTIES OUTPUT_NAME ${outname} PREFIX lib
      LIBRARY_OUTPUT_DIRECTORY ${IG_PLUGIN_DIR} C_VISIBILITY_PRESET hidden)
  endfunction()

  ig_plugin_module(ig_example_plugin ${PROJECT_SOURCE_DIR}/examples/plugin/echo.c ig-echo)
  # The same source built for an ABI version this infergate does not speak.
  ig_plugin_module(ig_example_plugin_abi99 ${PROJECT_SOURCE_DIR}/examples/plugin/echo.c
                   ig-echo-abi99)
  target_compile_definitions(ig_example_plugin_abi99 PRIVATE EXAMPLE_ABI_VERSION=99)

  # Broken plugins for the refusal tests.  They are test fixtures, not
  # examples, so they are generated here rather than kept beside echo.c.
  set(gen ${CMAKE_CURRENT_BINARY_DIR}/plugin-src)
  file(CONFIGURE OUTPUT ${gen}/no_entry.c @ONLY CONTENT [=[
/* A shared object that is not an infergate plugin: no entry symbol. */
__attribute__((visibility("default"))) int not_an_infergate_plugin(void) { return 42; }
]=])
  file(CONFIGURE OUTPUT ${gen}/tiny_table.c @ONLY CONTENT [=[
/* The right ABI version, but a table too small to hold the v1 methods. */
#include <infergate/backend.h>
static const ig_backend tiny = {IG_BACKEND_ABI_VERSION, 16, "tiny", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
__attribute__((visibility("default"))) const ig_backend *ig_backend_entry(void) { return &tiny; }
]=])
  file(CONFIGURE OUTPUT ${gen}/null_table.c @ONLY CONTENT [=[
/* An entry symbol that returns no table. */
#include <infergate/backend.h>
__attribute__((visibility("default"))) const ig_backend *ig_backend_entry(void) { return 0; }
]=])
  ig_plugin_module(ig_plugin_no_entry ${gen}/no_entry.c ig-no-entry)
  ig_plugin_module(ig_plugin_tiny_table ${gen}/tiny_table.c ig-tiny-table)
  ig_plugin_module(ig_plugin_null_table ${gen}/null_table.c ig-null-table)
  set(IG_TEST_PLUGINS ig_example_plugin ig_example_plugin_abi99 ig_plugin_no_entry
      ig_plugin_tiny_table ig_plugin_null_table)

  # The unit test of the loader (tests/unit/test_plugin.c) loads these.
  if(TARGET test_plugin)
    add_dependencies(test_plugin ${IG_TEST_PLUGINS})
    target_compile_definitions(test_plugin PRIVATE IG_TEST_PLUGIN_DIR="${IG_PLUGIN_DIR}")
  endif()

  set(drv ${CMAKE_COMMAND} -DIG=$<TARGET_FILE:infergate> -DDATA=${IG_ONNX_DATA}
      -DPLUGIN_DIR=${IG_PLUGIN_DIR} -DWORK=${CMAKE_CURRENT_BINARY_DIR}/plugin-work)

  # (a) The example passes conformance on the one model it runs ...
  add_test(NAME plugin.conformance.identity
           COMMAND ${CMAKE_COMMAND} -DIG=$<TARGET_FILE:infergate>
                   -DDIR=${IG_ONNX_DATA}/node/test_identity
                   -DBACKEND=plugin:$<TARGET_FILE:ig_example_plugin>
                   -DMIN_PASS=1 -DNO_UNSUPPORTED=1
                   -P ${CMAKE_CURRENT_LIST_DIR}/conformance.cmake)
  # ... and refuses every other node test as UNSUPPORTED, never a FAIL.
  add_test(NAME plugin.conformance.node
           COMMAND ${CMAKE_COMMAND} -DIG=$<TARGET_FILE:infergate>
                   -DDIR=${IG_ONNX_DATA}/node
                   -DBACKEND=plugin:$<TARGET_FILE:ig_example_plugin> -DMIN_PASS=1
                   -P ${CMAKE_CURRENT_LIST_DIR}/conformance.cmake)
  # (b) Broken plugins are refused: exit 2, one message naming the file.
  add_test(NAME plugin.refused
           COMMAND ${drv} -DCASE=refused -P ${CMAKE_CURRENT_LIST_FILE})
  # (c) A bare name is found through IG_PLUGIN_PATH.
  add_test(NAME plugin.search-path
           COMMAND ${drv} -DCASE=search -P ${CMAKE_CURRENT_LIST_FILE})
  # (d) Install, then build the example against the installed headers only.
  add_test(NAME plugin.install
           COMMAND ${drv} -DCASE=install -DBUILD=${CMAKE_BINARY_DIR}
                   -DCC=${CMAKE_C_COMPILER} -P ${CMAKE_CURRENT_LIST_FILE})
  set_tests_properties(plugin.conformance.identity plugin.conformance.node
                       plugin.refused plugin.search-path plugin.install
                       PROPERTIES LABELS "integration;plugin" SKIP_REGULAR_EXPRESSION "SKIP:")
  set_tests_properties(plugin.conformance.identity plugin.refused plugin.search-path
                       PROPERTIES TIMEOUT 120)
  set_tests_properties(plugin.conformance.node plugin.install PROPERTIES TIMEOUT 600)
  return()
endif()

# ----------------------------------------------------------------- driver --
# Runs ${IG} ARGS...; sets rc, out, err in the caller.
macro(ig_run)
  execute_process(COMMAND ${IG} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE err)
  message("$ infergate ${ARGN}\n  exit ${rc}\n  stdout: ${out}  stderr: ${err}")
endmacro()

# A plugin spec must be refused with exit 2 and one stderr line holding
# every string in ARGN.
function(expect_refused spec)
  ig_run(conformance -b ${spec} ${WORK})
  if(NOT rc EQUAL 2)
    message(FATAL_ERROR "'${spec}': exit ${rc}, expected 2")
  endif()
  string(REGEX MATCHALL "\n" lines "${err}")
  list(LENGTH lines n)
  if(NOT n EQUAL 1)
    message(FATAL_ERROR "'${spec}': ${n} stderr lines, expected 1")
  endif()
  foreach(want ${ARGN})
    string(FIND "${err}" "${want}" at)
    if(at LESS 0)
      message(FATAL_ERROR "'${spec}': message lacks '${want}'")
    endif()
  endforeach()
endfunction()

# The plugin at spec loads and probes (conformance on an empty folder opens
# and probes the backend, then finds no case), and passes test_identity
# when the ONNX test data is installed.
function(expect_loads spec)
  ig_run(conformance -b ${spec} ${WORK}/empty)
  if(NOT rc EQUAL 0 OR NOT out MATCHES "0 passed, 0 failed, 0 unsupported")
    message(FATAL_ERROR "'${spec}' did not load: exit ${rc}")
  endif()
  if(EXISTS ${DATA}/node/test_identity)
    ig_run(conformance -b ${spec} ${DATA}/node/test_identity)
    if(NOT rc EQUAL 0 OR NOT out MATCHES "1 passed, 0 failed, 0 unsupported")
      message(FATAL_ERROR "'${spec}' failed test_identity: exit ${rc}")
    endif()
  else()
    message("note: ${DATA}/node/test_identity absent; checked loading only")
  endif()
endfunction()

file(MAKE_DIRECTORY ${WORK}/empty)

if(CASE STREQUAL "refused")
  expect_refused(plugin:${PLUGIN_DIR}/libig-echo-abi99.so
                 "ABI" "libig-echo-abi99.so" "version 99" "version 1")
  expect_refused(plugin:${PLUGIN_DIR}/libig-tiny-table.so
                 "ABI" "libig-tiny-table.so" "16 bytes")
  expect_refused(plugin:${PLUGIN_DIR}/libig-no-entry.so
                 "ABI" "libig-no-entry.so" "ig_backend_entry")
  expect_refused(plugin:${PLUGIN_DIR}/libig-null-table.so
                 "libig-null-table.so" "NULL")
  expect_refused(plugin:${WORK}/no-such-plugin.so "no-such-plugin.so" "cannot load")
  expect_refused(plugin:${PLUGIN_DIR}/libig-echo.so,colour=blue "unknown option 'colour'")
elseif(CASE STREQUAL "search")
  set(ENV{IG_PLUGIN_PATH} "${WORK}/no-such-folder:${PLUGIN_DIR}")
  expect_loads(plugin:echo)           # libig-echo.so
  expect_loads(plugin:ig-echo)        # libig-echo.so as libNAME.so
  expect_loads(plugin:libig-echo.so,label=by-file-name)  # NAME itself
  expect_refused(plugin:nosuch "nosuch" "IG_PLUGIN_PATH=${WORK}/no-such-folder:${PLUGIN_DIR}")
  unset(ENV{IG_PLUGIN_PATH})
  expect_refused(plugin:echo "IG_PLUGIN_PATH is not set")
elseif(CASE STREQUAL "install")
  set(prefix ${WORK}/install)
  file(REMOVE_RECURSE ${prefix})
  execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD} --prefix ${prefix}
                  RESULT_VARIABLE rc OUTPUT_QUIET)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "cmake --install failed: ${rc}")
  endif()
  foreach(f include/infergate/backend.h include/infergate/tensor.h
            include/infergate/error.h share/pkgconfig/infergate-plugin.pc)
    if(NOT EXISTS ${prefix}/${f})
      message(FATAL_ERROR "not installed: ${f}")
    endif()
  endforeach()
  set(src ${prefix}/share/doc/infergate/examples/plugin)

  # The one-line build from docs/adapter-abi.md, against the installed
  # header only (the example is the installed copy, away from the tree).
  execute_process(COMMAND ${CC} -std=c11 -Wall -Wextra -Werror -shared -fPIC -O2
                          -I${prefix}/include ${src}/echo.c -o ${WORK}/libig-echo.so
                  RESULT_VARIABLE rc ERROR_VARIABLE cerr)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "cc against the installed headers failed:\n${cerr}")
  endif()
  expect_loads(plugin:${WORK}/libig-echo.so)

  # The same through pkg-config, which must name the installed headers.
  find_program(PKG_CONFIG NAMES pkg-config pkgconf)
  if(NOT PKG_CONFIG)
    message("SKIP: pkg-config not found; the cc build above passed")
    return()
  endif()
  set(ENV{PKG_CONFIG_PATH} ${prefix}/share/pkgconfig)
  execute_process(COMMAND ${PKG_CONFIG} --cflags --libs infergate-plugin
                  RESULT_VARIABLE rc OUTPUT_VARIABLE flags OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT rc EQUAL 0 OR NOT flags MATCHES "^-I[^ ]*include$")
    message(FATAL_ERROR "pkg-config --cflags --libs infergate-plugin: '${flags}' (exit ${rc}); "
                        "expected only -I<prefix>/include")
  endif()
  string(SUBSTRING "${flags}" 2 -1 incdir)
  get_filename_component(incdir "${incdir}" REALPATH)
  get_filename_component(want "${prefix}/include" REALPATH)
  if(NOT incdir STREQUAL want)
    message(FATAL_ERROR "pkg-config points at ${incdir}, not ${want}")
  endif()

  # And the example's own standalone CMakeLists.txt, found via the prefix.
  file(REMOVE_RECURSE ${WORK}/example-build)
  execute_process(COMMAND ${CMAKE_COMMAND} -S ${src} -B ${WORK}/example-build
                          -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_C_COMPILER=${CC}
                          -DCMAKE_BUILD_TYPE=Release
                  RESULT_VARIABLE rc OUTPUT_VARIABLE cout ERROR_VARIABLE cerr)
  if(rc EQUAL 0)
    execute_process(COMMAND ${CMAKE_COMMAND} --build ${WORK}/example-build
                    RESULT_VARIABLE rc OUTPUT_VARIABLE cout ERROR_VARIABLE cerr)
  endif()
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "standalone example build failed:\n${cout}\n${cerr}")
  endif()
  expect_loads(plugin:${WORK}/example-build/libig-echo.so)
else()
  message(FATAL_ERROR "unknown CASE '${CASE}'")
endif()
