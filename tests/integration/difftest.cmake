# difftest (docs/difftest.md): every CPU adapter agrees with the reference
# on a bounded run of random graphs (a fixed seed, each run well under a
# minute on a busy two-core machine), and the instrument itself works: it
# finds a wrong backend, and with the oneDNN adapter's chain fix switched
# off (chaincheck=0) it finds the chain bug and shrinks it to a reproducer
# of at most 4 nodes.  An adapter not usable here exits 4: skipped.
set(IG_DIFFTEST_OUT ${CMAKE_CURRENT_BINARY_DIR}/difftest)
foreach(spec reference:1000 openblas:1000 onednn:400)
  string(REPLACE ":" ";" parts ${spec})
  list(GET parts 0 be)
  list(GET parts 1 n)
  add_test(NAME difftest.${be}
           COMMAND $<TARGET_FILE:infergate> difftest -b ${be} --seed 1 --cases ${n}
                   -o ${IG_DIFFTEST_OUT}/${be})
  set_tests_properties(difftest.${be} PROPERTIES TIMEOUT 120 SKIP_RETURN_CODE 4
    LABELS "integration;difftest"
    PASS_REGULAR_EXPRESSION "difftest ${be}: ${n} cases, [0-9]+ passed, 0 mismatched")
endforeach()

# A backend that answers wrongly (faulty mode=wrong) mismatches on every
# case, each shrunk to one node.
add_test(NAME difftest.finds-wrong
         COMMAND ${CMAKE_COMMAND} -DIG=$<TARGET_FILE:infergate>
                 -DOUT=${IG_DIFFTEST_OUT}/finds-wrong
                 -P ${CMAKE_CURRENT_SOURCE_DIR}/difftest_wrong.cmake)
set_tests_properties(difftest.finds-wrong PROPERTIES TIMEOUT 120
  LABELS "integration;difftest")

add_test(NAME difftest.finds-chain-bug
         COMMAND ${CMAKE_COMMAND} -DIG=$<TARGET_FILE:infergate>
                 -DOUT=${IG_DIFFTEST_OUT}/finds-chain-bug
                 -P ${CMAKE_CURRENT_SOURCE_DIR}/difftest_chain.cmake)
set_tests_properties(difftest.finds-chain-bug PROPERTIES TIMEOUT 120
  LABELS "integration;difftest" SKIP_REGULAR_EXPRESSION "SKIP:")
