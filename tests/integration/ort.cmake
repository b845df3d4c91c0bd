# ort.cmake — ONNX Runtime side by side (scripts/ort-bench,
# docs/onnxruntime.md).  Included from tests/integration/CMakeLists.txt.
#
# Both tests need Node.js; ort.bench also needs npm (or the package already
# in its cache folder).  Where they are absent, the test exits 77 with a
# line that starts with "SKIP:" and is reported as skipped, never passed.
add_test(NAME ort.tensorproto
         COMMAND sh -c "command -v node >/dev/null || { echo 'SKIP: node not found'; exit 77; }; exec node \"$0\""
                 ${CMAKE_CURRENT_LIST_DIR}/ort_tensorproto.js)
add_test(NAME ort.bench
         COMMAND ${CMAKE_CURRENT_LIST_DIR}/ort_bench.sh $<TARGET_FILE:infergate>
                 ${PROJECT_SOURCE_DIR} ${IG_FIXTURES_DIR} ${CMAKE_CURRENT_BINARY_DIR}/ort-out)
set_tests_properties(ort.tensorproto PROPERTIES TIMEOUT 60 SKIP_RETURN_CODE 77
                     SKIP_REGULAR_EXPRESSION "SKIP:" LABELS "integration;ort")
# 180 s: a first use installs the package from the npm registry; the
# measuring itself takes well under a minute.
set_tests_properties(ort.bench PROPERTIES TIMEOUT 180 SKIP_RETURN_CODE 77
                     SKIP_REGULAR_EXPRESSION "SKIP:" LABELS "integration;ort")
# The generation and embedding fixtures under ONNX Runtime: goldens, and
# the KV cache's meaning (prefill, chunk over a past, static layout).
add_test(NAME ort.generative
         COMMAND ${CMAKE_CURRENT_LIST_DIR}/ort_generative.sh ${PROJECT_SOURCE_DIR} ${IG_FIXTURES_DIR})
set_tests_properties(ort.generative PROPERTIES TIMEOUT 120 SKIP_RETURN_CODE 77
                     SKIP_REGULAR_EXPRESSION "SKIP:" LABELS "integration;ort;fixtures")

# The contrib ops (ONNX Runtime's com.microsoft GroupQueryAttention,
# RotaryEmbedding, SkipSimplifiedLayerNormalization, MatMulNBits, and
# SimplifiedLayerNormalization) against ONNX Runtime: ig-contrib-cases
# writes one-node cases with the reference's outputs as goldens, and
# ort-bench checks ONNX Runtime's against them (atol 1e-4).
add_executable(ig-contrib-cases contrib_cases.c ${PROJECT_SOURCE_DIR}/fixtures/gen_run.c)
target_link_libraries(ig-contrib-cases PRIVATE igharness m)
add_test(NAME ort.contrib
         COMMAND ${CMAKE_CURRENT_LIST_DIR}/ort_contrib.sh $<TARGET_FILE:ig-contrib-cases>
                 $<TARGET_FILE:infergate> ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/ort-contrib)
set_tests_properties(ort.contrib PROPERTIES TIMEOUT 180 SKIP_RETURN_CODE 77
                     SKIP_REGULAR_EXPRESSION "SKIP:" LABELS "integration;ort")

# The compressed fixture variants under ONNX Runtime with its graph
# optimizations off (every op at its declared type), each output within
# the tolerance the lab derives from the model's datatypes
# (docs/compress.md): the reference's int8, int4, palette and fp16
# arithmetic against an independent runtime.
add_test(NAME ort.variants
         COMMAND ${CMAKE_CURRENT_LIST_DIR}/ort_variants.sh ${PROJECT_SOURCE_DIR} ${IG_FIXTURES_DIR}
                 $<TARGET_FILE:infergate> ${CMAKE_CURRENT_BINARY_DIR}/ort-variants)
set_tests_properties(ort.variants PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77
                     SKIP_REGULAR_EXPRESSION "SKIP:" LABELS "integration;ort;compress")
