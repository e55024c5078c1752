# Sanitizer builds. Each needs a build directory of its own: objects built with
# and without instrumentation (or by g++ and clang++) must never be linked together.

# OSH_SANITIZE: the whole platform and its tests under AddressSanitizer and
# UndefinedBehaviorSanitizer (g++ or clang++). Undefined behaviour aborts, so a
# test that reaches it fails instead of printing a warning nobody reads.
if(OSH_SANITIZE)
  if(OSH_SANITIZE STREQUAL "ON" OR OSH_SANITIZE STREQUAL "1" OR OSH_SANITIZE STREQUAL "TRUE")
    set(OSH_SANITIZE "address,undefined")
  endif()
  message(STATUS "osh: building with -fsanitize=${OSH_SANITIZE}")
  add_compile_options(-fsanitize=${OSH_SANITIZE} -fno-sanitize-recover=all -fno-omit-frame-pointer)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # g++ 12's flow analysis is confused by the sanitizers' instrumentation and
    # reports std::regex and std::function internals as maybe-uninitialized.
    add_compile_options(-Wno-maybe-uninitialized)
  endif()
  add_link_options(-fsanitize=${OSH_SANITIZE} -fno-sanitize-recover=all)
endif()

# OSH_FUZZ: every object gets libFuzzer's coverage instrumentation and ASan and
# UBSan; only the fuzz targets (osh_fuzz_target) link libFuzzer's main.
if(OSH_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "OSH_FUZZ needs clang++ (-DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang), "
                        "not ${CMAKE_CXX_COMPILER_ID}; tests/fuzz/run.sh configures it")
  endif()
  if(OSH_SANITIZE)
    message(FATAL_ERROR "OSH_FUZZ brings its own sanitizers; leave OSH_SANITIZE empty")
  endif()
  set(OSH_FUZZ_SANITIZERS "address,undefined")
  add_compile_options(-fsanitize=fuzzer-no-link,${OSH_FUZZ_SANITIZERS} -fno-sanitize-recover=all
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${OSH_FUZZ_SANITIZERS} -fno-sanitize-recover=all)
endif()
