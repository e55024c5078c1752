#pragma once

// For the libFuzzer targets (fuzz/ folders beside the code): an invariant that
// fails prints itself and where, then aborts, which libFuzzer reports as a
// crash and saves the input for.
#include <cstdio>
#include <cstdlib>

#define FUZZ_REQUIRE(condition)                                                                        \
  do {                                                                                                 \
    if (!(condition)) {                                                                                \
      std::fprintf(stderr, "invariant broken: %s (%s:%d)\n", #condition, __FILE__, __LINE__);          \
      std::abort();                                                                                    \
    }                                                                                                  \
  } while (false)
