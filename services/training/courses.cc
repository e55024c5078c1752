// Training: courses — versioned content written by province and national
// admins, published for learners; publishing a mandatory course assigns it.

#include "training.h"

#include <fmt/format.h>
#include <google/protobuf/util/time_util.h>

#include <cmath>
#include <set>

#include "course_rules.h"
#include "osh/auth/authorize.h"
#include "osh/core/ids.h"
#include "osh/domain/civil_date.h"
#include "osh/domain/credit_code.h"
#include "osh/domain/regions.h"
#include "osh/domain/text.h"
#include "osh/events/v1/registry_events.pb.h"
#include "osh/service/checks.h"
#include "osh/service/paging.h"
#include "osh/service/records.h"
#include "osh/store/enum_set.h"
#include "training_access.h"

namespace osh::training {
grpc::Status Training::CreateCourse(const Caller& caller, const v1::CreateCourseRequest& request,
                                    v1::Course* response) {
  return Guard(caller, "CreateCourse", [&] {
    core::FieldErrors errors;
    service::CheckRequestId(request.request_id(), errors);
    ValidateCourseContent(request.content(), "content", errors);
    ThrowIfInvalid(errors);
    const std::string province = request.national() ? "" : options_.province;
    RequireAuthor(caller, auth::Action::kWrite, province);

    db_.Write([&](store::Tx& tx) {
      Idempotent(tx, caller, "CreateCourse", request.request_id(), request, response, [&] {
        const auto now = TimestampOf(options_.clock());
        v1::Course c;
        c.set_id(core::NewUuidV7(options_.clock()));
        c.set_province(province);
        c.set_status(v1::COURSE_STATUS_DRAFT);
        c.set_course_version(1);
        c.set_latest_version(1);
        c.set_version(1);
        *c.mutable_create_time() = now;
        *c.mutable_update_time() = now;
        TrainingStore::PutCourse(tx, c, nullptr, true);
        TrainingStore::PutVersion(tx, c.id(), 1, request.content());
        service::Audit(tx, caller, "create", "course", c.id());
        *c.mutable_content() = request.content();
        *response = c;
      });
    });
  });
}

grpc::Status Training::GetCourse(const Caller& caller, const v1::GetCourseRequest& request, v1::Course* response) {
  return Guard(caller, "GetCourse", [&] {
    core::FieldErrors errors;
    CheckId(request.id(), "id", errors);
    if (!v1::CourseView_IsValid(request.view())) errors.Add("view", "unknown value");
    if (request.course_version() < 0) errors.Add("course_version", "must be 0 (current) or more");
    ThrowIfInvalid(errors);
    const bool author = request.view() == v1::COURSE_VIEW_AUTHOR;
    db_.Read([&](store::Tx& tx) {
      if (author) {
        auto c = CourseForAuthor(tx, caller, auth::Action::kRead, request.id(), options_.province);
        const int64_t number = request.course_version() == 0 ? c.latest_version() : request.course_version();
        *c.mutable_content() = VersionOrRefuse(tx, c.id(), number);
        c.set_course_version(number);
        *response = std::move(c);
        return;
      }
      // Unpublished courses, and courses of other provinces, do not exist for
      // learners: the same answer as a wrong id.
      auto c = std::optional(PublishedCourseOrRefuse(tx, request.id(), options_.province));
      service::Require(caller.principal, auth::Action::kRead, {c->province(), "", true});
      // Every version up to the published one was published once (editing a
      // published course starts the next), so enrolled learners can read theirs.
      const int64_t number = request.course_version() == 0 ? c->published_version() : request.course_version();
      if (number > c->published_version()) {
        Refuse(grpc::StatusCode::NOT_FOUND, fmt::format("course {} has no published version {}", c->id(), number));
      }
      *c->mutable_content() = WithoutAnswers(VersionOrRefuse(tx, c->id(), number));
      c->set_course_version(number);
      c->clear_version();
      *response = std::move(*c);
    });
  });
}

grpc::Status Training::UpdateCourse(const Caller& caller, const v1::UpdateCourseRequest& request,
                                    v1::Course* response) {
  return Guard(caller, "UpdateCourse", [&] {
    core::FieldErrors errors;
    service::CheckRequestId(request.request_id(), errors);
    CheckId(request.id(), "id", errors);
    if (request.version() <= 0) errors.Add("version", "is required (the version you read)");
    ValidateCourseContent(request.content(), "content", errors);
    ThrowIfInvalid(errors);

    db_.Write([&](store::Tx& tx) {
      Idempotent(tx, caller, "UpdateCourse", request.request_id(), request, response, [&] {
        auto c = CourseForAuthor(tx, caller, auth::Action::kWrite, request.id(), options_.province);
        service::RequireVersion("course", c.id(), c.version(), request.version());
        // A published version is never changed: learners enrolled in it.
        const int64_t number =
            c.latest_version() == c.published_version() ? c.latest_version() + 1 : c.latest_version();
        TrainingStore::PutVersion(tx, c.id(), number, request.content());
        c.set_latest_version(number);
        c.set_course_version(number);
        c.set_status(v1::COURSE_STATUS_DRAFT);
        c.set_version(c.version() + 1);
        *c.mutable_update_time() = TimestampOf(options_.clock());
        std::optional<v1::CourseContent> published;
        if (c.published_version() > 0) published = VersionOrRefuse(tx, c.id(), c.published_version());
        TrainingStore::PutCourse(tx, c, published ? &*published : nullptr, false);
        service::Audit(tx, caller, "update", "course", c.id());
        *c.mutable_content() = request.content();
        *response = c;
      });
    });
  });
}

grpc::Status Training::PublishCourse(const Caller& caller, const v1::PublishCourseRequest& request,
                                     v1::Course* response) {
  return Guard(caller, "PublishCourse", [&] {
    core::FieldErrors errors;
    service::CheckRequestId(request.request_id(), errors);
    CheckId(request.id(), "id", errors);
    if (request.version() <= 0) errors.Add("version", "is required (the version you read)");
    ThrowIfInvalid(errors);

    db_.Write([&](store::Tx& tx) {
      Idempotent(tx, caller, "PublishCourse", request.request_id(), request, response, [&] {
        auto c = CourseForAuthor(tx, caller, auth::Action::kWrite, request.id(), options_.province);
        service::RequireVersion("course", c.id(), c.version(), request.version());
        if (c.published_version() == c.latest_version()) {
          Refuse(grpc::StatusCode::FAILED_PRECONDITION,
                 fmt::format("course {} version {} is published already", c.id(), c.latest_version()));
        }
        const auto content = VersionOrRefuse(tx, c.id(), c.latest_version());
        const auto now = TimestampOf(options_.clock());
        c.set_published_version(c.latest_version());
        c.set_course_version(c.latest_version());
        c.set_status(v1::COURSE_STATUS_PUBLISHED);
        c.set_version(c.version() + 1);
        *c.mutable_update_time() = now;
        *c.mutable_publish_time() = now;
        TrainingStore::PutCourse(tx, c, &content, false);
        service::Audit(tx, caller, "publish", "course", c.id());
        // A mandatory course reaches the employers known already, not only those registering from now on.
        const bool ours = c.province() == options_.province || c.province().empty();
        int assigned = 0;
        if (content.mandatory() && ours) {
          const std::string due_date = DueDate(options_.clock(), options_);
          for (const auto& employer : TrainingStore::KnownEmployers(tx)) {
            for (const auto& a : AssignIfMatching(tx, {c, content}, employer, due_date, options_)) {
              service::Audit(tx, caller, "assign", "assignment", a.id());
              ++assigned;
            }
          }
        }
        events_.CoursePublished(tx, c, content, assigned);
        *c.mutable_content() = content;
        *response = c;
      });
    });
  });
}

grpc::Status Training::ListCourses(const Caller& caller, const v1::ListCoursesRequest& request,
                                   v1::ListCoursesResponse* response) {
  return Guard(caller, "ListCourses", [&] {
    core::FieldErrors errors;
    const int page_size =
        service::PageSize(request.page_size(), options_.default_page_size, options_.max_page_size, errors);
    if (!v1::CourseView_IsValid(request.view())) errors.Add("view", "unknown value");
    if (!v1::TargetRole_IsValid(request.target_role())) errors.Add("target_role", "unknown value");
    if (!common::v1::HazardCategory_IsValid(request.hazard_category())) errors.Add("hazard_category", "unknown value");
    const bool author = request.view() == v1::COURSE_VIEW_AUTHOR;
    if (author && request.target_role() != 0) errors.Add("target_role", "filters the PUBLISHED view only");
    if (author && request.hazard_category() != 0) errors.Add("hazard_category", "filters the PUBLISHED view only");
    const std::string fingerprint =
        fmt::format("courses|{}|{}|{}", static_cast<int>(request.view()), static_cast<int>(request.target_role()),
                    static_cast<int>(request.hazard_category()));
    const std::string after_id = service::PagePosition(request.page_token(), fingerprint, errors);
    ThrowIfInvalid(errors);

    std::vector<std::string> provinces = {options_.province, ""};
    if (author) {
      const bool national = caller.principal != nullptr && caller.principal->role == auth::Role::kNationalAdmin;
      RequireAuthor(caller, auth::Action::kRead, national ? "" : options_.province);
      provinces = national ? std::vector<std::string>{} : std::vector<std::string>{options_.province};
    } else {
      service::Require(caller.principal, auth::Action::kRead, {options_.province, "", true});
    }
    auto rows = db_.Read([&](store::Tx& tx) {
      return TrainingStore::ListCourses(tx, !author, provinces, request.target_role(), request.hazard_category(),
                                        after_id, page_size + 1);
    });
    response->set_next_page_token(
        service::TrimPage(rows, page_size, fingerprint, [](const CourseRow& r) { return r.course.id(); }));
    for (auto& row : rows) {
      auto* c = response->add_courses();
      *c = std::move(row.course);
      c->set_course_version(author ? c->latest_version() : c->published_version());
      if (!author) c->clear_version();
      *c->mutable_content() = ListingOf(std::move(row.content));
    }
  });
}

}  // namespace osh::training
