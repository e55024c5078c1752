#pragma once

#include <google/protobuf/repeated_ptr_field.h>

#include <string>

#include "osh/core/errors.h"
#include "osh/training/v1/training.pb.h"

namespace osh::training {

namespace v1 = ::osh::training::v1;

// Everything a course version must hold, each error naming its field under
// `prefix` (e.g. "content.quiz.questions[2].choices"): a draft is already a
// complete course, so publishing never finds new problems.
void ValidateCourseContent(const v1::CourseContent& content, const std::string& prefix, core::FieldErrors& errors);

// The course as learners see it: no correct answers.
v1::CourseContent WithoutAnswers(v1::CourseContent content);
// The course as lists show it: no lesson bodies, no quiz.
v1::CourseContent ListingOf(v1::CourseContent content);

// The last day a certificate issued on `issue_date` (YYYY-MM-DD) stays valid
// for a course valid `validity_months`: the same day of the month that many
// months later, less one day (a month without that day takes its last day);
// "" when validity_months is 0 (no expiry).
std::string CertificateExpiryDate(const std::string& issue_date, int validity_months);

// What a certificate is on `today` (YYYY-MM-DD, China Standard Time): its
// stored status, or EXPIRED when it is valid but past its expiry date.
v1::CertificateStatus CertificateStatusOn(const v1::Certificate& certificate, const std::string& today);

// Grades answers against `quiz` on the server. Answers naming unknown
// questions or choices, a question twice, or several choices on a
// single-choice question add errors under "answers[i]"; unanswered questions
// count as wrong. Fills number-independent fields of the attempt.
v1::QuizAttempt Grade(const v1::Quiz& quiz, const google::protobuf::RepeatedPtrField<v1::QuizAnswer>& answers,
                      core::FieldErrors& errors);

}  // namespace osh::training
