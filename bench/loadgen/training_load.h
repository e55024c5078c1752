#pragma once

#include <map>
#include <string>

namespace osh::bench {

// The training scenarios of osh-loadgen (bench/training_bench.sh, deploy/up.sh).
//   seed-training: publishes the demo courses (idempotent on fixed request ids)
//   bench --service training --mode enroll|submit-quiz: learners' hot paths
// `flags` are the command line's --name value pairs.
int SeedTraining(const std::map<std::string, std::string>& flags, const std::string& token);
int BenchTraining(const std::map<std::string, std::string>& flags, const std::string& token);

}  // namespace osh::bench
