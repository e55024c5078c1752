#pragma once

#include <string>

#include "osh/store/database.h"
#include "osh/training/v1/training.pb.h"

namespace osh::training {

namespace v1 = ::osh::training::v1;

// Writes the training events into the outbox inside the caller's transaction
// (topic osh.training.events): counts and opaque references only.
class TrainingEvents {
 public:
  explicit TrainingEvents(std::string province) : province_(std::move(province)) {}

  // `complete_date`: the completion's date in China Standard Time;
  // `assignments_fulfilled`: open assignments the completion closed.
  void Completed(store::Tx& tx, const v1::Enrollment& enrollment, int attempts_used, int score_percent,
                 bool mandatory, const std::string& complete_date, int assignments_fulfilled) const;
  void CertificateIssued(store::Tx& tx, const v1::Certificate& certificate) const;
  void CertificateRevoked(store::Tx& tx, const v1::Certificate& certificate) const;
  void CoursePublished(store::Tx& tx, const v1::Course& course, const v1::CourseContent& content,
                       int assignments_made) const;
  // `results` all passed validation; counts are grouped per population × division × year.
  void SurveysRecorded(store::Tx& tx, const std::string& batch_id, const v1::RecordLiteracySurveysRequest& request,
                       double threshold_percent, const google::protobuf::Timestamp& now) const;

 private:
  std::string province_;
};

}  // namespace osh::training
