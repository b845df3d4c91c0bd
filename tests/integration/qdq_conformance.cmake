# qdq_conformance.cmake — the int8-static QDQ form of fixtures, written by
# the compression engine (compress/), run with `infergate conformance -b
# BACKEND`: the int8 primitives against the reference's goldens for the
# same QDQ model.  A fixture's int8-static variant (FIXTURES/NAME@int8-static,
# made by ig-fixtures with its goldens from the reference) is used as it
# is; for a fixture without one, `infergate compress --to int8-static`
# writes it now (calibrated on the fixture's own test inputs) and
# `infergate infer -b reference` writes its goldens.
# -DIG=binary -DFIXTURES=folder -DOUT=folder -DBACKEND=name -DMODELS=a,b
string(REPLACE "," ";" MODELS "${MODELS}")
file(REMOVE_RECURSE "${OUT}")
file(MAKE_DIRECTORY "${OUT}")
if(NOT EXISTS "${FIXTURES}/manifest.json")
  message("SKIP: ${FIXTURES}/manifest.json does not exist")
  return()
endif()
file(READ "${FIXTURES}/manifest.json" manifest)
string(JSON nfix LENGTH "${manifest}" models)
foreach(m ${MODELS})
  if(NOT EXISTS "${FIXTURES}/${m}/model.onnx")
    message("SKIP: ${FIXTURES}/${m} does not exist")
    return()
  endif()
  set(dst "${OUT}/${m}@int8-static")
  if(EXISTS "${FIXTURES}/${m}@int8-static/model.onnx")
    file(MAKE_DIRECTORY "${dst}")
    file(COPY "${FIXTURES}/${m}@int8-static/model.onnx"
              "${FIXTURES}/${m}@int8-static/test_data_set_0" DESTINATION "${dst}")
    continue()
  endif()
  file(MAKE_DIRECTORY "${dst}/test_data_set_0")
  execute_process(COMMAND ${IG} compress ${FIXTURES}/${m}/model.onnx --to int8-static
                          -o ${dst}/model.onnx
                  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "compress ${m}: exit ${rc}\n${out}${err}")
  endif()
  message("${out}")
  # The fixture's entry in the manifest names its inputs and outputs.
  set(entry "")
  math(EXPR last "${nfix} - 1")
  foreach(i RANGE ${last})
    string(JSON name GET "${manifest}" models ${i} name)
    if(name STREQUAL m)
      string(JSON entry GET "${manifest}" models ${i})
    endif()
  endforeach()
  if(entry STREQUAL "")
    message(FATAL_ERROR "${m}: not in ${FIXTURES}/manifest.json")
  endif()
  set(args "")
  string(JSON nin LENGTH "${entry}" inputs)
  math(EXPR lastin "${nin} - 1")
  foreach(k RANGE ${lastin})
    string(JSON iname GET "${entry}" inputs ${k} name)
    file(COPY "${FIXTURES}/${m}/test_data_set_0/input_${k}.pb"
         DESTINATION "${dst}/test_data_set_0")
    list(APPEND args -i "${iname}=${FIXTURES}/${m}/test_data_set_0/input_${k}.pb")
  endforeach()
  execute_process(COMMAND ${IG} infer -b reference -m ${dst}/model.onnx ${args}
                          -o ${dst}/golden
                  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "infer -b reference ${m}: exit ${rc}\n${out}${err}")
  endif()
  string(JSON nout LENGTH "${entry}" outputs)
  math(EXPR lastout "${nout} - 1")
  foreach(k RANGE ${lastout})
    string(JSON oname GET "${entry}" outputs ${k})
    string(REPLACE "/" "_" ofile "${oname}")
    file(RENAME "${dst}/golden/${ofile}.pb" "${dst}/test_data_set_0/output_${k}.pb")
  endforeach()
  file(REMOVE_RECURSE "${dst}/golden")
endforeach()
execute_process(COMMAND ${IG} conformance -b ${BACKEND} ${OUT}
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(rc EQUAL 4)
  message("SKIP: ${err}")
  return()
endif()
message("${out}")
string(REGEX MATCH "([0-9]+) passed, ([0-9]+) failed, ([0-9]+) unsupported" summary "${out}")
list(LENGTH MODELS nmodels)
if(NOT rc EQUAL 0 OR NOT CMAKE_MATCH_1 EQUAL nmodels)
  message(FATAL_ERROR "QDQ conformance on ${BACKEND} failed (exit ${rc}): ${summary}\n${err}")
endif()
