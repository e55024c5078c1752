# Helpers that keep every library, service and test declared the same way.

set(OSH_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Woverloaded-virtual -Wformat=2
    # Designated initialisers that leave members at their defaults are the point of them.
    -Wno-missing-field-initializers)
if(OSH_WERROR)
  list(APPEND OSH_WARNINGS -Werror)
endif()

# osh_library(<name> SOURCES ... DEPS ...)
# A library under libs/<name>: public headers in include/osh/<name>/, sources in src/.
function(osh_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(osh_${name} STATIC ${ARG_SOURCES})
  add_library(osh::${name} ALIAS osh_${name})
  target_include_directories(osh_${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
  target_compile_options(osh_${name} PRIVATE ${OSH_WARNINGS})
  target_link_libraries(osh_${name} PUBLIC ${ARG_DEPS})
endfunction()

# osh_test(<name> SOURCES ... DEPS ... [LABELS ...] [POSTGRES <gtest filter>] [POSTGRES_AGAIN])
# A GoogleTest binary registered with ctest, one ctest entry per test case.
# With POSTGRES, the test cases matching the filter (e.g. "*/Postgres:Postgres*", the
# PostgreSQL instances of parameterised tests) are registered apart instead, with
# the label `postgres`, the PostgreSQL fixture and OSH_TEST_POSTGRES_URL.
# With POSTGRES_AGAIN, every case is registered a second time as "postgres:<case>"
# that way: fixtures built on store::testing::TestDatabase then run on PostgreSQL.
function(osh_test name)
  if(NOT OSH_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "POSTGRES_AGAIN" "POSTGRES" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${OSH_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  if(ARG_POSTGRES)
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 TEST_FILTER "-${ARG_POSTGRES}" PROPERTIES LABELS "${ARG_LABELS}"
      ENVIRONMENT "OSH_SEEDS_DIR=${OSH_SEEDS_DIR}")
    # gtest_discover_tests keeps only the first variable of ENVIRONMENT (the rest
    # of the list becomes property names): the server's URL goes there, the
    # crash tests' script path as a compile definition.
    target_compile_definitions(${name} PRIVATE OSH_POSTGRES_SCRIPT="${CMAKE_SOURCE_DIR}/deploy/postgres.sh")
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 TEST_FILTER "${ARG_POSTGRES}"
      PROPERTIES LABELS postgres FIXTURES_REQUIRED postgres TIMEOUT 300 ENVIRONMENT "${OSH_POSTGRES_TEST_ENV}")
  else()
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS "${ARG_LABELS}"
      ENVIRONMENT "OSH_SEEDS_DIR=${OSH_SEEDS_DIR}")
  endif()
  if(ARG_POSTGRES_AGAIN)
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 TEST_PREFIX "postgres:"
      PROPERTIES LABELS postgres FIXTURES_REQUIRED postgres TIMEOUT 300 ENVIRONMENT "${OSH_POSTGRES_TEST_ENV}")
  endif()
endfunction()

# Seed texts live in ../shared/seeds beside the checkout (CI puts shared/ there).
get_filename_component(OSH_SEEDS_DIR "${CMAKE_SOURCE_DIR}/../shared/seeds" ABSOLUTE)

# osh_kafka_test(<name> SOURCES ... DEPS ... [POSTGRES_AGAIN])
# A GoogleTest binary whose tests run against the real Kafka broker of the
# ctest fixture `kafka` (tests/kafka), which ctest starts once per run.
# With POSTGRES_AGAIN, every case runs a second time as "postgres:<case>" with
# the PostgreSQL fixture too (as for osh_test).
# The port is a cache variable so that several checkouts of one machine (worktrees)
# can run their suites at once; the controller takes the port above it.
set(OSH_TEST_KAFKA_PORT 19092 CACHE STRING "port of the test Kafka broker (controller on port+1)")
set(OSH_TEST_KAFKA_BOOTSTRAP "127.0.0.1:${OSH_TEST_KAFKA_PORT}")
set(OSH_TEST_REDIS_PORT 16379 CACHE STRING "port of the test redis-server (tests/redis)")
set(OSH_TEST_POSTGRES_PORT 25432 CACHE STRING "port of the test PostgreSQL server (tests/postgres); crash tests take the port above it")
set(OSH_TEST_POSTGRES_URL "postgres://osh@127.0.0.1:${OSH_TEST_POSTGRES_PORT}/postgres")
# What a test of the `postgres` label finds in its environment: the shared
# server's URL (a crash test starts a private server on the port above it).
set(OSH_POSTGRES_TEST_ENV "OSH_TEST_POSTGRES_URL=${OSH_TEST_POSTGRES_URL}")
function(osh_kafka_test name)
  if(NOT OSH_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "POSTGRES_AGAIN" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${OSH_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES
    LABELS kafka FIXTURES_REQUIRED kafka TIMEOUT 300
    ENVIRONMENT "OSH_TEST_KAFKA_BOOTSTRAP=${OSH_TEST_KAFKA_BOOTSTRAP};OSH_SEEDS_DIR=${OSH_SEEDS_DIR}")
  if(ARG_POSTGRES_AGAIN)
    # Properties of several values cannot pass through gtest_discover_tests
    # (it splits every list), so the "postgres:" cases get theirs from a file
    # ctest includes after the discovered tests.
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 TEST_PREFIX "postgres:" TEST_LIST ${name}_POSTGRES_TESTS)
    set(extra ${CMAKE_CURRENT_BINARY_DIR}/${name}_postgres_properties.cmake)
    file(WRITE ${extra}
      "set_tests_properties(\${${name}_POSTGRES_TESTS} PROPERTIES LABELS \"kafka;postgres\" "
      "FIXTURES_REQUIRED \"kafka;postgres\" TIMEOUT 300 "
      "ENVIRONMENT \"OSH_TEST_KAFKA_BOOTSTRAP=${OSH_TEST_KAFKA_BOOTSTRAP};OSH_SEEDS_DIR=${OSH_SEEDS_DIR};${OSH_POSTGRES_TEST_ENV}\")\n")
    set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${extra})
  endif()
endfunction()

# osh_fuzz_target(<name> SOURCES ... DEPS ...)
# A libFuzzer target (only with OSH_FUZZ, see OshSanitizers.cmake) in the
# fuzz/ folder beside the code it exercises, with its checked-in seed corpus in
# fuzz/corpus/<name>/ and, when present, a dictionary fuzz/<name>.dict.
# tests/fuzz/run.sh finds them all through fuzz-targets.tsv in the build directory.
function(osh_fuzz_target name)
  if(NOT OSH_FUZZ)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${OSH_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/tests/fuzz)  # fuzz_require.h
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  set(corpus ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/corpus/${name})
  if(NOT IS_DIRECTORY ${corpus})
    message(FATAL_ERROR "fuzz target ${name} has no seed corpus ${corpus}")
  endif()
  set(dict ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/${name}.dict)
  if(NOT EXISTS ${dict})
    set(dict "-")
  endif()
  set_property(GLOBAL APPEND PROPERTY OSH_FUZZ_TARGETS "${name}\t$<TARGET_FILE:${name}>\t${corpus}\t${dict}")
  add_dependencies(osh_fuzz ${name})
endfunction()
