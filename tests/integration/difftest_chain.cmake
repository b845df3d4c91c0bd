# difftest_chain.cmake — the instrument finds the oneDNN chain bug (a second
# eltwise post-op of the same algorithm computed with the first one's
# alpha/beta in oneDNN 2.6) once the adapter's fix is switched off.
#   -DIG=binary -DOUT=folder
# Passes when a bounded run (seed 1) on onednn:chaincheck=0 exits 1 and
# writes a reproducer of at most 4 nodes that fails on onednn:chaincheck=0
# and passes on onednn with default options, so the bug it shows is the
# one the option switches (a reproducer of another bug fails on both).
# Prints "SKIP: ..." when the oneDNN adapter is not usable here (exit 4).
file(REMOVE_RECURSE "${OUT}")
set(spec onednn:chaincheck=0)
execute_process(COMMAND ${IG} difftest -b ${spec} --seed 1 --cases 60 -o ${OUT}
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(rc EQUAL 4)
  message("SKIP: ${err}")
  return()
endif()
message("${out}${err}")
if(NOT rc EQUAL 1)
  message(FATAL_ERROR "difftest -b ${spec} exited ${rc}, expected 1 (a mismatch found)")
endif()
file(GLOB repros "${OUT}/*/repro.txt")
set(found "")
foreach(r ${repros})
  file(STRINGS ${r} line REGEX "^shrunk: [0-9]+ nodes")
  string(REGEX MATCH "^shrunk: ([0-9]+) nodes[^:]*: (.*)" _ "${line}")
  set(nodes ${CMAKE_MATCH_1})
  set(ops ${CMAKE_MATCH_2})
  get_filename_component(dir ${r} DIRECTORY)
  if(nodes GREATER 4)
    message("${dir}: ${nodes} nodes (${ops}), more than 4")
    continue()
  endif()
  execute_process(COMMAND ${IG} conformance -b ${spec} ${dir}
                  OUTPUT_VARIABLE off RESULT_VARIABLE rc_off)
  execute_process(COMMAND ${IG} conformance -b onednn ${dir}
                  OUTPUT_VARIABLE on RESULT_VARIABLE rc_on)
  message("${dir}: ${nodes} nodes (${ops}): chaincheck=0 exit ${rc_off}, default exit ${rc_on}")
  if(rc_off EQUAL 1 AND rc_on EQUAL 0)
    list(APPEND found "${dir} (${ops})")
  endif()
endforeach()
if(NOT found)
  message(FATAL_ERROR "no reproducer of at most 4 nodes that fails with chaincheck=0 "
                      "and passes with the fix")
endif()
message("chain bug reproducers: ${found}")
