#include "course_rules.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "osh/domain/civil_date.h"
#include "osh/domain/industries.h"
#include "osh/domain/text.h"
#include "osh/service/checks.h"

namespace osh::training {
namespace {

constexpr size_t kMaxTitle = 200;
constexpr size_t kMaxSummary = 2000;
constexpr size_t kMaxLessonBody = 100000;
constexpr size_t kMaxQuestionText = 1000;
constexpr size_t kMaxChoiceText = 500;
constexpr int kMaxLessons = 100;
constexpr int kMaxQuestions = 100;
constexpr int kMinChoices = 2;
constexpr int kMaxChoices = 10;
constexpr int kMaxAttempts = 20;
constexpr int kMaxValidityMonths = 120;

// Ids the author chooses, so a lesson or question keeps its id across versions.
bool IsItemId(const std::string& id) {
  if (id.empty() || id.size() > 32) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

void CheckItemId(const std::string& id, const std::string& field, std::set<std::string>& seen,
                 core::FieldErrors& errors) {
  if (!IsItemId(id)) {
    errors.Add(field, "must be 1-32 of A-Z a-z 0-9 _ -");
  } else if (!seen.insert(id).second) {
    errors.Add(field, "'" + id + "' is used twice");
  }
}

void CheckLine(const std::string& value, const std::string& field, size_t max_length, bool required,
               core::FieldErrors& errors) {
  const size_t before = errors.size();
  service::CheckText(value, field, max_length, required, errors);
  if (errors.size() == before && domain::HasControlCharacters(value, false)) {
    errors.Add(field, "holds control characters or line breaks");
  }
}

template <typename IsValid>
void CheckEnumList(const google::protobuf::RepeatedField<int>& values, const std::string& field, IsValid is_valid,
                   core::FieldErrors& errors) {
  std::set<int> seen;
  for (int i = 0; i < values.size(); ++i) {
    const std::string name = fmt::format("{}[{}]", field, i);
    if (values[i] == 0 || !is_valid(values[i])) {
      errors.Add(name, fmt::format("unknown value {}", values[i]));
    } else if (!seen.insert(values[i]).second) {
      errors.Add(name, "is listed twice");
    }
  }
}

void ValidateQuiz(const v1::Quiz& quiz, const std::string& prefix, core::FieldErrors& errors) {
  if (quiz.questions_size() == 0 || quiz.questions_size() > kMaxQuestions) {
    errors.Add(prefix + ".questions", fmt::format("must hold 1-{} questions", kMaxQuestions));
  }
  if (quiz.pass_mark_percent() < 1 || quiz.pass_mark_percent() > 100) {
    errors.Add(prefix + ".pass_mark_percent", "must be 1-100");
  }
  std::set<std::string> question_ids;
  for (int q = 0; q < quiz.questions_size(); ++q) {
    const auto& question = quiz.questions(q);
    const std::string at = fmt::format("{}.questions[{}]", prefix, q);
    CheckItemId(question.id(), at + ".id", question_ids, errors);
    service::CheckText(question.text(), at + ".text", kMaxQuestionText, true, errors);
    if (question.kind() == v1::QUESTION_KIND_UNSPECIFIED || !v1::QuestionKind_IsValid(question.kind())) {
      errors.Add(at + ".kind", "must be SINGLE_CHOICE or MULTIPLE_CHOICE");
    }
    if (question.choices_size() < kMinChoices || question.choices_size() > kMaxChoices) {
      errors.Add(at + ".choices", fmt::format("must hold {}-{} choices", kMinChoices, kMaxChoices));
    }
    std::set<std::string> choice_ids;
    int correct = 0;
    for (int c = 0; c < question.choices_size(); ++c) {
      const auto& choice = question.choices(c);
      const std::string choice_at = fmt::format("{}.choices[{}]", at, c);
      CheckItemId(choice.id(), choice_at + ".id", choice_ids, errors);
      service::CheckText(choice.text(), choice_at + ".text", kMaxChoiceText, true, errors);
      correct += choice.correct() ? 1 : 0;
    }
    if (question.kind() == v1::QUESTION_KIND_SINGLE_CHOICE && correct != 1) {
      errors.Add(at + ".choices",
                 fmt::format("a single-choice question needs exactly one correct choice, has {}", correct));
    } else if (question.kind() == v1::QUESTION_KIND_MULTIPLE_CHOICE && correct == 0) {
      errors.Add(at + ".choices", "a multiple-choice question needs at least one correct choice");
    }
  }
}

}  // namespace

void ValidateCourseContent(const v1::CourseContent& c, const std::string& prefix, core::FieldErrors& errors) {
  CheckLine(c.title(), prefix + ".title", kMaxTitle, true, errors);
  service::CheckText(c.summary(), prefix + ".summary", kMaxSummary, false, errors);
  if (c.target_roles_size() == 0) errors.Add(prefix + ".target_roles", "name at least one role");
  CheckEnumList(c.target_roles(), prefix + ".target_roles", v1::TargetRole_IsValid, errors);
  CheckEnumList(c.hazard_categories(), prefix + ".hazard_categories", common::v1::HazardCategory_IsValid, errors);
  std::set<std::string> sections;
  for (int i = 0; i < c.industry_sections_size(); ++i) {
    const auto& s = c.industry_sections(i);
    const std::string at = fmt::format("{}.industry_sections[{}]", prefix, i);
    if (domain::FindIndustrySection(s) == nullptr) {
      errors.Add(at, "must be a GB/T 4754 section A-T");
    } else if (!sections.insert(s).second) {
      errors.Add(at, "is listed twice");
    }
  }
  if (c.lessons_size() == 0 || c.lessons_size() > kMaxLessons) {
    errors.Add(prefix + ".lessons", fmt::format("must hold 1-{} lessons", kMaxLessons));
  }
  std::set<std::string> lesson_ids;
  for (int i = 0; i < c.lessons_size(); ++i) {
    const auto& lesson = c.lessons(i);
    const std::string at = fmt::format("{}.lessons[{}]", prefix, i);
    CheckItemId(lesson.id(), at + ".id", lesson_ids, errors);
    CheckLine(lesson.title(), at + ".title", kMaxTitle, true, errors);
    service::CheckText(lesson.body(), at + ".body", kMaxLessonBody, true, errors);
  }
  ValidateQuiz(c.quiz(), prefix + ".quiz", errors);
  if (c.max_attempts() < 1 || c.max_attempts() > kMaxAttempts) {
    errors.Add(prefix + ".max_attempts", fmt::format("must be 1-{}", kMaxAttempts));
  }
  if (c.validity_months() < 0 || c.validity_months() > kMaxValidityMonths) {
    errors.Add(prefix + ".validity_months", fmt::format("must be 0 (no expiry) or 1-{} months", kMaxValidityMonths));
  }
}

std::string CertificateExpiryDate(const std::string& issue_date, int validity_months) {
  const auto issued = domain::ParseCivilDate(issue_date);
  if (validity_months <= 0 || !issued) return "";
  const std::chrono::year_month_day ymd{*issued};
  const auto month = std::chrono::year_month{ymd.year(), ymd.month()} + std::chrono::months(validity_months);
  // 31 January + 1 month: 28 (or 29) February is the anniversary day.
  const auto last_of_month = std::chrono::year_month_day_last{month.year(), std::chrono::month_day_last{month.month()}};
  const auto day = std::min(ymd.day(), last_of_month.day());
  const std::chrono::sys_days anniversary{std::chrono::year_month_day{month.year(), month.month(), day}};
  const std::chrono::year_month_day expiry{anniversary - std::chrono::days(1)};
  return fmt::format("{:04d}-{:02d}-{:02d}", static_cast<int>(expiry.year()), static_cast<unsigned>(expiry.month()),
                     static_cast<unsigned>(expiry.day()));
}

v1::CertificateStatus CertificateStatusOn(const v1::Certificate& certificate, const std::string& today) {
  if (certificate.status() == v1::CERTIFICATE_STATUS_VALID && !certificate.expiry_date().empty() &&
      today > certificate.expiry_date()) {
    return v1::CERTIFICATE_STATUS_EXPIRED;
  }
  return certificate.status();
}

v1::CourseContent WithoutAnswers(v1::CourseContent content) {
  for (auto& question : *content.mutable_quiz()->mutable_questions()) {
    for (auto& choice : *question.mutable_choices()) choice.clear_correct();
  }
  return content;
}

v1::CourseContent ListingOf(v1::CourseContent content) {
  for (auto& lesson : *content.mutable_lessons()) lesson.clear_body();
  content.clear_quiz();
  return content;
}

v1::QuizAttempt Grade(const v1::Quiz& quiz, const google::protobuf::RepeatedPtrField<v1::QuizAnswer>& answers,
                      core::FieldErrors& errors) {
  std::map<std::string, const v1::Question*> questions;
  for (const auto& q : quiz.questions()) questions[q.id()] = &q;
  std::map<std::string, std::set<std::string>> chosen;
  for (int i = 0; i < answers.size(); ++i) {
    const auto& answer = answers[i];
    const std::string at = fmt::format("answers[{}]", i);
    const auto found = questions.find(answer.question_id());
    if (found == questions.end()) {
      errors.Add(at + ".question_id", "is not a question of this quiz");
      continue;
    }
    if (chosen.count(answer.question_id()) != 0) {
      errors.Add(at + ".question_id", "is answered twice");
      continue;
    }
    const auto& question = *found->second;
    std::set<std::string> ids;
    for (int c = 0; c < answer.choice_ids_size(); ++c) {
      const auto& id = answer.choice_ids(c);
      bool known = false;
      for (const auto& choice : question.choices()) known = known || choice.id() == id;
      if (!known) {
        errors.Add(fmt::format("{}.choice_ids[{}]", at, c), "is not a choice of question " + question.id());
      } else if (!ids.insert(id).second) {
        errors.Add(fmt::format("{}.choice_ids[{}]", at, c), "is chosen twice");
      }
    }
    if (question.kind() == v1::QUESTION_KIND_SINGLE_CHOICE && ids.size() > 1) {
      errors.Add(at + ".choice_ids", "a single-choice question takes one choice");
    }
    chosen[answer.question_id()] = std::move(ids);
  }
  v1::QuizAttempt attempt;
  *attempt.mutable_answers() = answers;
  int correct = 0;
  for (const auto& question : quiz.questions()) {
    std::set<std::string> expected;
    for (const auto& choice : question.choices()) {
      if (choice.correct()) expected.insert(choice.id());
    }
    const auto given = chosen.find(question.id());
    if (given != chosen.end() && given->second == expected) ++correct;
  }
  const int total = quiz.questions_size();
  attempt.set_correct_count(correct);
  attempt.set_question_count(total);
  attempt.set_score_percent(total == 0 ? 0 : correct * 100 / total);
  attempt.set_passed(attempt.score_percent() >= quiz.pass_mark_percent());
  return attempt;
}

}  // namespace osh::training
