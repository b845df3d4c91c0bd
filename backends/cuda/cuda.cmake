# cuda.cmake — included by the top-level CMakeLists.txt before igcore is
# defined.  Decides whether the CUDA adapter is built and, if so, sets
# IG_CUDA_SRC (the adapter's sources, replacing backends/cuda/absent.c) and
# IG_CUDA_LINK (what igcore links: the CUDA runtime and cuDNN; cuBLAS is
# opened at first use, see cuda_blaslib.c).
#
# IG_WITH_CUDA (cache STRING, declared in CMakeLists.txt):
#   AUTO  build when the CUDA toolkit, a working nvcc and cuDNN are found
#   ON    require them (configure fails otherwise)
#   OFF   never; the adapter is listed as unavailable
#
# Design decision: the binary links the CUDA *runtime* (libcudart.so), never
# the driver library libcuda.so, so every program of the lab still starts on
# a machine with the toolkit but no GPU or driver (CI); the runtime then
# reports the missing driver and the adapter probes as unavailable.
#
# The project kernels (cuda_kernels.cu) are compiled by nvcc into an object
# library whose objects are added to igcore's sources: igcore stays a C
# library (linked by the C compiler, so the sanitizer flags of IG_SANITIZE
# apply as usual), and the C-only warning and sanitizer options that
# CMakeLists.txt sets for the whole directory are not handed to nvcc.
#
# CMAKE_CUDA_ARCHITECTURES defaults to "75-real;80-real;90": machine code
# for Turing (T4), Ampere (A100; A10/A40/RTX 30 and Ada run sm_80 code) and
# Hopper (H100/H200), plus compute_90 PTX that newer GPUs (Blackwell) JIT at
# load time.  Pass -DCMAKE_CUDA_ARCHITECTURES=... to change it (e.g. "90"
# alone builds fastest for an H100-only machine).

set(_ig_cuda_why "")
if(IG_WITH_CUDA STREQUAL "OFF")
  set(_ig_cuda_why "IG_WITH_CUDA=OFF")
else()
  if(IG_WITH_CUDA STREQUAL "ON")
    find_package(CUDAToolkit REQUIRED)
  else()
    find_package(CUDAToolkit QUIET)
  endif()
  if(NOT CUDAToolkit_FOUND)
    set(_ig_cuda_why "CUDA toolkit not found")
  endif()
endif()

if(_ig_cuda_why STREQUAL "")
  find_path(IG_CUDNN_INCLUDE_DIR cudnn.h
            HINTS ${CUDAToolkit_INCLUDE_DIRS} ${CUDAToolkit_LIBRARY_ROOT}/include
            PATH_SUFFIXES cudnn)
  find_library(IG_CUDNN_LIBRARY cudnn
               HINTS ${CUDAToolkit_LIBRARY_DIR} ${CUDAToolkit_LIBRARY_ROOT}/lib64
                     ${CUDAToolkit_LIBRARY_ROOT}/lib)
  if(NOT IG_CUDNN_INCLUDE_DIR OR NOT IG_CUDNN_LIBRARY)
    set(_ig_cuda_why "cuDNN not found (cudnn.h and libcudnn)")
  elseif(NOT TARGET CUDA::cudart OR NOT TARGET CUDA::cublas)
    set(_ig_cuda_why "the toolkit lacks cudart or cuBLAS")
  endif()
endif()

if(_ig_cuda_why STREQUAL "")
  # The toolkit's nvcc, when neither PATH nor CUDACXX names one (the
  # language check below runs in a child CMake, which inherits ENV).
  if(NOT DEFINED CMAKE_CUDA_COMPILER AND NOT DEFINED ENV{CUDACXX}
     AND CUDAToolkit_NVCC_EXECUTABLE)
    set(ENV{CUDACXX} ${CUDAToolkit_NVCC_EXECUTABLE})
  endif()
  if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
    set(CMAKE_CUDA_ARCHITECTURES "75-real;80-real;90")
  endif()
  include(CheckLanguage)
  check_language(CUDA)
  if(NOT CMAKE_CUDA_COMPILER)
    set(_ig_cuda_why "no working CUDA compiler (nvcc)")
  endif()
endif()

if(NOT _ig_cuda_why STREQUAL "")
  if(IG_WITH_CUDA STREQUAL "ON")
    message(FATAL_ERROR "IG_WITH_CUDA=ON but ${_ig_cuda_why}")
  endif()
  message(STATUS "CUDA adapter: off (${_ig_cuda_why})")
else()
  # The executables stay C programs, linked by the C compiler (clang with
  # its sanitizers in the ASan build) against the shared runtime: CUDA
  # objects in igcore must not make CMake pick nvcc's host linker (g++) for
  # every consumer, nor add the static runtime (-lcudart_static) beside the
  # shared one.
  set(CMAKE_CUDA_RUNTIME_LIBRARY Shared)
  enable_language(CUDA)
  set(CMAKE_CUDA_LINKER_PREFERENCE_PROPAGATES FALSE)
  # The cuDNN headers sit beside the toolkit's; an imported target keeps
  # them (and cuDNN's own deprecation attributes) out of our warnings.
  if(NOT TARGET IG::cudnn)
    add_library(IG::cudnn UNKNOWN IMPORTED)
    set_target_properties(IG::cudnn PROPERTIES
      IMPORTED_LOCATION ${IG_CUDNN_LIBRARY}
      INTERFACE_INCLUDE_DIRECTORIES ${IG_CUDNN_INCLUDE_DIR})
  endif()

  add_library(igcuda_kernels OBJECT ${CMAKE_CURRENT_LIST_DIR}/cuda_kernels.cu)
  # Directory-wide options are for the C compiler (-Wall, -Werror,
  # -fsanitize): nvcc gets its own.
  set_property(TARGET igcuda_kernels PROPERTY COMPILE_OPTIONS "")
  # No exceptions and no thread-safe statics in the host stubs nvcc
  # generates, so the objects need nothing from libstdc++ (the C linker
  # does not add it).
  target_compile_options(igcuda_kernels PRIVATE
    $<$<COMPILE_LANGUAGE:CUDA>:-Xcompiler=-Wall,-fno-exceptions,-fno-threadsafe-statics>)
  set_target_properties(igcuda_kernels PROPERTIES
    POSITION_INDEPENDENT_CODE ON
    CUDA_RUNTIME_LIBRARY Shared
    CUDA_STANDARD 17)
  target_link_libraries(igcuda_kernels PRIVATE CUDA::cudart)

  set(IG_CUDA_SRC
    ${CMAKE_CURRENT_LIST_DIR}/cuda.c
    ${CMAKE_CURRENT_LIST_DIR}/cuda_model.c
    ${CMAKE_CURRENT_LIST_DIR}/cuda_blas.c
    ${CMAKE_CURRENT_LIST_DIR}/cuda_blaslib.c
    ${CMAKE_CURRENT_LIST_DIR}/cuda_dnn.c
    ${CMAKE_CURRENT_LIST_DIR}/cuda_kern.c
    $<TARGET_OBJECTS:igcuda_kernels>)
  # cuBLAS is opened with dlopen at first use (cuda_blaslib.c says why);
  # the library found here is its fallback path.
  get_target_property(_ig_cublas CUDA::cublas IMPORTED_LOCATION)
  if(_ig_cublas)
    set_property(SOURCE ${CMAKE_CURRENT_LIST_DIR}/cuda_blaslib.c APPEND PROPERTY
                 COMPILE_DEFINITIONS IG_CUBLAS_PATH="${_ig_cublas}")
  endif()
  unset(_ig_cublas)
  set(IG_CUDA_LINK CUDA::cudart IG::cudnn ${CMAKE_DL_LIBS} Threads::Threads)
  message(STATUS "CUDA adapter: on (CUDA ${CUDAToolkit_VERSION}, "
                 "architectures ${CMAKE_CUDA_ARCHITECTURES}, cuDNN ${IG_CUDNN_LIBRARY})")
endif()
unset(_ig_cuda_why)
