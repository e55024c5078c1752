// Grading on the server: single and multiple choice, unanswered questions,
// the pass mark; and what learners and lists are shown.
#include <gtest/gtest.h>

#include "course_rules.h"

namespace osh::training {
namespace {

v1::Quiz ThreeQuestions(int pass_mark) {
  v1::Quiz quiz;
  quiz.set_pass_mark_percent(pass_mark);
  const auto add = [&](const std::string& id, v1::QuestionKind kind, std::vector<bool> correct) {
    auto* q = quiz.add_questions();
    q->set_id(id);
    q->set_text(id);
    q->set_kind(kind);
    for (size_t i = 0; i < correct.size(); ++i) {
      auto* c = q->add_choices();
      c->set_id(std::string(1, static_cast<char>('a' + i)));
      c->set_text("x");
      c->set_correct(correct[i]);
    }
  };
  add("s", v1::QUESTION_KIND_SINGLE_CHOICE, {false, true, false});
  add("m", v1::QUESTION_KIND_MULTIPLE_CHOICE, {true, false, true});
  add("t", v1::QUESTION_KIND_SINGLE_CHOICE, {true, false});
  return quiz;
}

google::protobuf::RepeatedPtrField<v1::QuizAnswer> Answers(
    std::vector<std::pair<std::string, std::vector<std::string>>> given) {
  google::protobuf::RepeatedPtrField<v1::QuizAnswer> out;
  for (const auto& [q, choices] : given) {
    auto* a = out.Add();
    a->set_question_id(q);
    for (const auto& c : choices) a->add_choice_ids(c);
  }
  return out;
}

TEST(TrainingCourseRulesTest, ACertificateExpiresTheDayBeforeItsAnniversary) {
  EXPECT_EQ(CertificateExpiryDate("2026-03-15", 12), "2027-03-14");
  EXPECT_EQ(CertificateExpiryDate("2026-01-01", 1), "2026-01-31");
  // 31 January plus a month: the anniversary is the last day of February.
  EXPECT_EQ(CertificateExpiryDate("2026-01-31", 1), "2026-02-27");
  EXPECT_EQ(CertificateExpiryDate("2027-01-31", 13), "2028-02-28");  // 2028 is a leap year: 29 February
  EXPECT_EQ(CertificateExpiryDate("2026-03-15", 0), "");
  v1::Certificate c;
  c.set_status(v1::CERTIFICATE_STATUS_VALID);
  c.set_expiry_date("2026-12-31");
  EXPECT_EQ(CertificateStatusOn(c, "2026-12-31"), v1::CERTIFICATE_STATUS_VALID);
  EXPECT_EQ(CertificateStatusOn(c, "2027-01-01"), v1::CERTIFICATE_STATUS_EXPIRED);
  c.set_status(v1::CERTIFICATE_STATUS_REVOKED);
  EXPECT_EQ(CertificateStatusOn(c, "2027-01-01"), v1::CERTIFICATE_STATUS_REVOKED);
  c.set_status(v1::CERTIFICATE_STATUS_VALID);
  c.clear_expiry_date();
  EXPECT_EQ(CertificateStatusOn(c, "2099-01-01"), v1::CERTIFICATE_STATUS_VALID);
}

TEST(TrainingCourseRulesTest, GradesExactSetsAndFloorsTheScore) {
  const auto quiz = ThreeQuestions(67);
  core::FieldErrors errors;
  auto a = Grade(quiz, Answers({{"s", {"b"}}, {"m", {"c", "a"}}, {"t", {"b"}}}), errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(a.correct_count(), 2);
  EXPECT_EQ(a.question_count(), 3);
  EXPECT_EQ(a.score_percent(), 66);  // floor(200 / 3)
  EXPECT_FALSE(a.passed());          // 66 < 67

  a = Grade(quiz, Answers({{"s", {"b"}}, {"m", {"a", "c"}}, {"t", {"a"}}}), errors);
  EXPECT_EQ(a.score_percent(), 100);
  EXPECT_TRUE(a.passed());

  // A superset or subset of a multiple-choice answer is wrong; unanswered counts as wrong.
  a = Grade(quiz, Answers({{"m", {"a", "b", "c"}}}), errors);
  EXPECT_EQ(a.correct_count(), 0);
  a = Grade(quiz, Answers({{"m", {"a"}}, {"t", {"a"}}}), errors);
  EXPECT_EQ(a.correct_count(), 1);
  EXPECT_EQ(a.score_percent(), 33);
  EXPECT_TRUE(errors.empty());
  a = Grade(quiz, Answers({}), errors);
  EXPECT_EQ(a.score_percent(), 0);
  EXPECT_FALSE(a.passed());
}

TEST(TrainingCourseRulesTest, LearnersNeverSeeAnswersAndListsCarryNoBodies) {
  v1::CourseContent c;
  *c.mutable_quiz() = ThreeQuestions(50);
  auto* l = c.add_lessons();
  l->set_id("l");
  l->set_body("正文");
  const auto learner = WithoutAnswers(c);
  for (const auto& q : learner.quiz().questions()) {
    for (const auto& ch : q.choices()) EXPECT_FALSE(ch.correct());
  }
  EXPECT_EQ(learner.lessons(0).body(), "正文");
  const auto listing = ListingOf(c);
  EXPECT_TRUE(listing.lessons(0).body().empty());
  EXPECT_EQ(listing.quiz().questions_size(), 0);
}

}  // namespace
}  // namespace osh::training
