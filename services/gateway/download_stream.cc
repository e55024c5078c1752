#include "download_stream.h"

#include <mutex>
#include <optional>

#include "google/api/httpbody.pb.h"

namespace osh::gateway {
namespace {

class DownloadReactor;

// What the HTTP side and the gRPC reactor share; outlives whichever ends first.
struct DownloadState {
  std::mutex mu;
  DownloadReactor* reactor = nullptr;  // null once the call is done
  std::optional<std::string> ready;    // a part read and not yet asked for
  http::BodySource::Deliver waiting;   // an ask not yet answered
  bool read_pending = false;
  bool hold_removed = false;
  bool cancelled = false;
  bool ended = false;
  bool ok = false;
  grpc::ClientContext* context = nullptr;
  std::shared_ptr<void> keep_alive;
};

// One read at a time, started only when the HTTP side has taken the part
// before. A hold keeps the call from completing while a read may still be
// started from the HTTP side; it goes when the stream has ended or was cancelled.
class DownloadReactor final : public grpc::ClientBidiReactor<google::protobuf::Message, google::protobuf::Message> {
 public:
  DownloadReactor(std::shared_ptr<DownloadState> state, std::function<void(DownloadStart)> started)
      : state_(std::move(state)), started_(std::move(started)) {}

  void Begin(MessageStub& stub, const std::string& grpc_path, const google::protobuf::Message& request) {
    state_->reactor = this;
    stub.PrepareBidiStreamingCall(state_->context, grpc_path, grpc::StubOptions(), this);
    StartWrite(&request, grpc::WriteOptions().set_last_message());
    AddHold();
    state_->read_pending = true;
    StartRead(&part_);
    StartCall();
  }

  // Reads the next part; the caller set read_pending under state->mu and
  // released it (a reaction may run on this thread and take the lock).
  void ReadNext() { StartRead(&part_); }

  // Gives up the hold once (under state->mu); true when the caller must call RemoveHold.
  bool TakeHoldLocked() {
    if (state_->hold_removed) return false;
    state_->hold_removed = true;
    return true;
  }

  void OnWriteDone(bool) override {}

  void OnReadDone(bool ok) override {
    std::unique_lock lock(state_->mu);
    state_->read_pending = false;
    if (!ok || state_->cancelled) {
      const bool remove = TakeHoldLocked();
      lock.unlock();
      if (remove) RemoveHold();
      return;
    }
    std::string data = std::move(*part_.mutable_data());
    if (!first_sent_) {
      first_sent_ = true;
      state_->ready = std::move(data);
      auto source = Source(state_);
      lock.unlock();
      started_({grpc::Status::OK, part_.content_type(), std::move(source)});
      return;
    }
    if (state_->waiting) {
      auto deliver = std::move(state_->waiting);
      state_->waiting = nullptr;
      state_->read_pending = true;
      lock.unlock();
      deliver(std::move(data), true);
      ReadNext();
      return;
    }
    state_->ready = std::move(data);
  }

  void OnDone(const grpc::Status& status) override {
    std::unique_lock lock(state_->mu);
    state_->ended = true;
    state_->ok = status.ok();
    state_->reactor = nullptr;
    http::BodySource::Deliver deliver;
    if (first_sent_) {
      deliver = std::move(state_->waiting);
      state_->waiting = nullptr;
    }
    lock.unlock();
    if (!first_sent_) {
      started_({status, "", nullptr});
    } else if (deliver) {
      deliver(std::nullopt, status.ok());
    }
    delete this;
  }

 private:
  static std::shared_ptr<http::BodySource> Source(const std::shared_ptr<DownloadState>& state) {
    auto source = std::make_shared<http::BodySource>();
    source->next = [state](http::BodySource::Deliver deliver) {
      std::unique_lock lock(state->mu);
      if (state->ready) {
        std::string part = std::move(*state->ready);
        state->ready.reset();
        // The hold is still there (it goes only with no read pending), so the
        // reactor lives until this read completes.
        DownloadReactor* reader = state->reactor != nullptr && !state->hold_removed ? state->reactor : nullptr;
        if (reader != nullptr) state->read_pending = true;
        lock.unlock();
        deliver(std::move(part), true);
        if (reader != nullptr) reader->ReadNext();
      } else if (state->ended) {
        const bool ok = state->ok;
        lock.unlock();
        deliver(std::nullopt, ok);
      } else {
        state->waiting = std::move(deliver);
      }
    };
    source->cancel = [state] {
      std::unique_lock lock(state->mu);
      state->cancelled = true;
      state->waiting = nullptr;
      DownloadReactor* reactor = state->reactor;
      const bool remove = reactor != nullptr && !state->read_pending && reactor->TakeHoldLocked();
      lock.unlock();
      if (reactor != nullptr) state->context->TryCancel();  // the context lives in keep_alive
      if (remove) reactor->RemoveHold();
    };
    return source;
  }

  std::shared_ptr<DownloadState> state_;
  std::function<void(DownloadStart)> started_;
  google::api::HttpBody part_;
  bool first_sent_ = false;  // only touched by the reactor's own callbacks
};

}  // namespace

void StartDownload(MessageStub& stub, grpc::ClientContext* context, const std::string& grpc_path,
                   const google::protobuf::Message& request, std::shared_ptr<void> keep_alive,
                   std::function<void(DownloadStart)> started) {
  auto state = std::make_shared<DownloadState>();
  state->context = context;
  state->keep_alive = std::move(keep_alive);
  // Begin sets up the state before StartCall, after which callbacks may run.
  (new DownloadReactor(state, std::move(started)))->Begin(stub, grpc_path, request);
}

}  // namespace osh::gateway
