#pragma once

#include <map>
#include <string>

namespace osh::bench {

// seed-supervision (deploy/demo/supervision_facts.sh, from deploy/up.sh): gives
// the employers a province's registry holds plausible supervision facts —
// hazard testing, in-service health-exam summaries, inspections whose items are
// closed (on time or late), assistance visits to small and micro employers,
// occupational-disease case reports — so that every indicator of reporting has
// a non-zero denominator. Each province gets its own profile (rates differ),
// drawn deterministically from its code. Idempotent: every write carries a
// fixed request id, so running it again changes nothing.
// Flags: --target HOST:PORT (the province's registry), --province NN.
int SeedSupervision(const std::map<std::string, std::string>& flags, const std::string& token);

}  // namespace osh::bench
