# lib.cmake — libinfergate, what an application embeds
# (include/infergate/infergate.h): backend defaults, probing, and sessions
# that fall back along the chain through a circuit breaker.  Included by
# the top CMakeLists.txt after igcore exists.
#
# The sources compile once, position independent, into an OBJECT library,
# packaged twice:
#   infergate_lib    libinfergate.a, for in-tree users (the harness and
#                    through it the unit tests); it needs igcore, which
#                    links with it.
#   infergate_shared libinfergate.so, built when igcore is PIC: it carries
#                    the igcore code it uses and exports only the public
#                    ig_* names (infergate.map).  This is what is installed.
#
# The one decision — who links it: the harness does (Gate B's runtime suite
# and `infergate select` call the public API, so the lab tests exactly
# what applications run), and igharness is defined before this file is
# included, so it is linked here.  Every unit test links igharness, so
# test_breaker and test_infergate get the library that way, with no
# change to tests/CMakeLists.txt (which is processed after this file).

set(IG_LIB_SRC
  ${CMAKE_CURRENT_LIST_DIR}/breaker.c
  ${CMAKE_CURRENT_LIST_DIR}/defaults.c
  ${CMAKE_CURRENT_LIST_DIR}/defaults_toml.c
  ${CMAKE_CURRENT_LIST_DIR}/infergate.c)

add_library(infergate_objs OBJECT ${IG_LIB_SRC})
set_target_properties(infergate_objs PROPERTIES POSITION_INDEPENDENT_CODE ON)
target_include_directories(infergate_objs PRIVATE ${CMAKE_CURRENT_LIST_DIR})
# Usage requirements only (an OBJECT library links nothing).
target_link_libraries(infergate_objs PRIVATE igcore PkgConfig::JSONC Threads::Threads)

add_library(infergate_lib STATIC $<TARGET_OBJECTS:infergate_objs>)
set_target_properties(infergate_lib PROPERTIES OUTPUT_NAME infergate)
target_link_libraries(infergate_lib PUBLIC igcore PkgConfig::JSONC Threads::Threads)

get_target_property(IG_CORE_PIC igcore POSITION_INDEPENDENT_CODE)
if(IG_CORE_PIC)
  add_library(infergate_shared SHARED $<TARGET_OBJECTS:infergate_objs>)
  set_target_properties(infergate_shared PROPERTIES
    OUTPUT_NAME infergate
    VERSION ${PROJECT_VERSION}
    SOVERSION ${PROJECT_VERSION_MAJOR}
    LINK_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/infergate.map)
  target_link_libraries(infergate_shared PRIVATE igcore PkgConfig::JSONC
                        Threads::Threads)
  target_include_directories(infergate_shared PUBLIC
    $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:include>)
  # The tensor and error helpers of the public headers live in igcore; an
  # archive member is only pulled in when referenced, so name them all.
  set(IG_LIB_KEEP ig_strerror ig_strerror_name ig_dtype_size ig_dtype_name
      ig_tensor_set_shape ig_tensor_alloc ig_tensor_release ig_tensor_copy
      ig_tensor_shape_str)
  foreach(sym ${IG_LIB_KEEP})
    target_link_options(infergate_shared PRIVATE "LINKER:--undefined=${sym}")
  endforeach()
  target_link_options(infergate_shared PRIVATE
    "LINKER:--version-script=${CMAKE_CURRENT_LIST_DIR}/infergate.map")
  include(GNUInstallDirs)
  set_target_properties(infergate_shared PROPERTIES EXPORT_NAME infergate)
  install(TARGETS infergate_shared EXPORT infergateTargets
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
          NAMELINK_COMPONENT Development)
  # How an application finds it: pkg-config (infergate.pc, beside the
  # library) or CMake (find_package(infergate) -> infergate::infergate).
  file(RELATIVE_PATH IG_PC_UP /p/${CMAKE_INSTALL_LIBDIR}/pkgconfig /p)
  configure_file(${PROJECT_SOURCE_DIR}/infergate.pc.in ${PROJECT_BINARY_DIR}/infergate.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/infergate.pc
          DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
  include(CMakePackageConfigHelpers)
  set(IG_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/infergate)
  install(EXPORT infergateTargets NAMESPACE infergate:: DESTINATION ${IG_CMAKE_DIR})
  configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/infergateConfig.cmake.in
    ${PROJECT_BINARY_DIR}/infergateConfig.cmake INSTALL_DESTINATION ${IG_CMAKE_DIR})
  write_basic_package_version_file(${PROJECT_BINARY_DIR}/infergateConfigVersion.cmake
    VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
  install(FILES ${PROJECT_BINARY_DIR}/infergateConfig.cmake
                ${PROJECT_BINARY_DIR}/infergateConfigVersion.cmake
          DESTINATION ${IG_CMAKE_DIR})
  set(IG_LIB_FOR_APPS infergate_shared)
else()
  message(STATUS "libinfergate: igcore is not PIC, no shared library (the "
                 "static one needs igcore and is not installed)")
  set(IG_LIB_FOR_APPS infergate_lib)
endif()
# include/infergate/infergate.h is installed with the other public headers
# by the top-level install(DIRECTORY include/infergate).

# The example links the library an application would link, so it proves
# that the public header and the export list are enough.
add_executable(ig-example-app ${CMAKE_CURRENT_SOURCE_DIR}/examples/app/main.c)
target_link_libraries(ig-example-app PRIVATE ${IG_LIB_FOR_APPS})
install(FILES ${CMAKE_CURRENT_SOURCE_DIR}/examples/app/main.c
        DESTINATION share/doc/infergate/examples/app)

if(TARGET igharness)
  target_link_libraries(igharness PUBLIC infergate_lib)
endif()
