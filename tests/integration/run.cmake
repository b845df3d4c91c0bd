# `infergate run`: isolation and classification of failing cells, result
# files against the schema, a kill -9 in the middle of a soak.
set(IG_RUN_OUT ${CMAKE_CURRENT_BINARY_DIR}/runs)

# Faulty cells are classified while the healthy cells beside them finish.
add_test(NAME run.isolation
  COMMAND ${CMAKE_COMMAND} -E env IG_FIXTURES=${IG_FIXTURES_DIR}
          $<TARGET_FILE:infergate> run -m mlp-intent --suite latency --duration 0.3
          --timeout-ms 500 --no-progress -o ${IG_RUN_OUT}/isolation
          -b reference
          -b faulty:base=reference,mode=crash
          -b faulty:base=reference,mode=abort
          -b faulty:base=reference,mode=hang,after=3
          -b faulty:base=reference,mode=oom
          -b faulty:base=reference,mode=error
          -b faulty:base=reference,mode=nan)
set_tests_properties(run.isolation PROPERTIES TIMEOUT 120 LABELS "integration;run"
  WILL_FAIL TRUE)  # exit 1: some cells failed, as intended
add_test(NAME run.isolation.check
  COMMAND ${CMAKE_COMMAND} -DDIR=${IG_RUN_OUT}/isolation
  "-DEXPECT=reference.mlp-intent.latency=ok;faulty_base_reference_mode_crash.mlp-intent.latency=failed:crash;faulty_base_reference_mode_abort.mlp-intent.latency=failed:crash;faulty_base_reference_mode_hang_after_3.mlp-intent.latency=failed:timeout;faulty_base_reference_mode_oom.mlp-intent.latency=failed:out_of_memory;faulty_base_reference_mode_error.mlp-intent.latency=failed:predict_error;faulty_base_reference_mode_nan.mlp-intent.latency=failed:non_finite"
  -P ${CMAKE_CURRENT_SOURCE_DIR}/run_check.cmake)
set_tests_properties(run.isolation.check PROPERTIES DEPENDS run.isolation
  LABELS "integration;run")

# Every suite on a real backend and the null adapter; files validate.
add_test(NAME run.suites
  COMMAND ${CMAKE_COMMAND} -E env IG_FIXTURES=${IG_FIXTURES_DIR}
          $<TARGET_FILE:infergate> run -b reference -b null -m mlp-intent
          --suite parity,latency,throughput,server,concurrency,soak,lifecycle
          --duration 0.4 --cycles 20 --no-progress -o ${IG_RUN_OUT}/suites)
set_tests_properties(run.suites PROPERTIES TIMEOUT 180 LABELS "integration;run"
  WILL_FAIL TRUE)  # null's parity fails against the reference, as it must
add_test(NAME run.suites.check
  COMMAND ${CMAKE_COMMAND} -DDIR=${IG_RUN_OUT}/suites
  "-DEXPECT=reference.mlp-intent.parity=ok;reference.mlp-intent.soak=ok;reference.mlp-intent.lifecycle=ok;reference.mlp-intent.concurrency=ok;reference.mlp-intent.server=ok;null.mlp-intent.parity=failed:parity_mismatch;null.mlp-intent.latency=ok"
  -P ${CMAKE_CURRENT_SOURCE_DIR}/run_check.cmake)
set_tests_properties(run.suites.check PROPERTIES DEPENDS run.suites
  LABELS "integration;run")

add_test(NAME run.kill-mid-soak
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/run_kill.sh $<TARGET_FILE:infergate> ${IG_FIXTURES_DIR})
set_tests_properties(run.kill-mid-soak PROPERTIES TIMEOUT 60 LABELS "integration;run")

# The generate suite and workload parity (issue 16; workloads.sh says what
# it checks).
add_test(NAME run.workloads
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/workloads.sh $<TARGET_FILE:infergate>
                 ${IG_FIXTURES_DIR} ${CMAKE_CURRENT_BINARY_DIR}/workloads)
set_tests_properties(run.workloads PROPERTIES TIMEOUT 600 LABELS "integration;run")
