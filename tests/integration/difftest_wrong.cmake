# difftest_wrong.cmake — a backend that answers wrongly is caught on every
# case and each case shrinks to a single node.  -DIG=binary -DOUT=folder
file(REMOVE_RECURSE "${OUT}")
execute_process(COMMAND ${IG} difftest -b faulty:base=reference,mode=wrong --seed 3
                        --cases 4 -o ${OUT}
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
message("${out}${err}")
if(NOT rc EQUAL 1 OR NOT out MATCHES "4 cases, 0 passed, 4 mismatched, 0 refused")
  message(FATAL_ERROR "expected exit 1 and 4 mismatches, got exit ${rc}")
endif()
file(GLOB repros "${OUT}/*/repro.txt")
list(LENGTH repros n)
if(NOT n EQUAL 4)
  message(FATAL_ERROR "expected 4 reproducers, found ${n}")
endif()
foreach(r ${repros})
  file(STRINGS ${r} line REGEX "^shrunk: ")
  if(NOT line MATCHES "^shrunk: 1 nodes")
    message(FATAL_ERROR "${r}: ${line} (expected 1 node)")
  endif()
  get_filename_component(dir ${r} DIRECTORY)
  execute_process(COMMAND ${IG} conformance -b reference ${dir} RESULT_VARIABLE rc_ref
                  OUTPUT_VARIABLE o2)
  if(NOT rc_ref EQUAL 0)
    message(FATAL_ERROR "${dir}: the reproducer fails on the reference:\n${o2}")
  endif()
endforeach()
