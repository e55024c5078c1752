#pragma once

#include <map>
#include <string>

namespace osh::bench {

// seed-learning (deploy/up.sh, after seed-training and the employers): the
// demo province's people learn, so the training rate and the health-literacy
// level of reporting have figures behind them.
// - Principals and OSH managers of a share of the registry's employers take a
//   published mandatory demo course through the learner's own path (enroll with
//   an employer account of their organisation, view every lesson, pass the
//   quiz), which osh-training reports as completions with the learner's role.
// - Health-literacy survey results for each division the employers are in, for
//   last year and this year, through RecordLiteracySurveys.
// Deterministic and idempotent: who learns is a hash of the credit code, and
// every write carries a fixed request id, so running it again changes nothing.
// Flags: --target HOST:PORT (osh-training), --registry HOST:PORT, --province NN,
// --secret-file F (the HS256 secret, to sign the employer accounts' tokens).
// `token`: a province_admin of the province.
int SeedLearning(const std::map<std::string, std::string>& flags, const std::string& token);

}  // namespace osh::bench
