#include "io/worker-instance.h"

#include <boost/asio/post.hpp>

namespace wisp::io {
namespace {

// Keeps an instance busy while a request is in flight on it.
class UseToken {
 public:
  explicit UseToken(std::shared_ptr<WorkerInstance> instance, std::function<void()> release)
      : instance_(std::move(instance)), release_(std::move(release)) {}
  ~UseToken() { release_(); }
  UseToken(const UseToken&) = delete;
  UseToken& operator=(const UseToken&) = delete;

 private:
  std::shared_ptr<WorkerInstance> instance_;
  std::function<void()> release_;
};

}  // namespace

std::shared_ptr<WorkerInstance> WorkerInstance::load(boost::asio::io_context& ioc, WorkerCode code,
                                                     Worker::Options options, std::string tag) {
  std::shared_ptr<WorkerInstance> self(new WorkerInstance(ioc, std::move(tag)));
  boost::asio::post(ioc, [weak = std::weak_ptr<WorkerInstance>(self), code = std::move(code),
                          options = std::move(options)]() mutable {
    auto self = weak.lock();
    if (!self) return;  // dropped before it was created
    try {
      self->worker_ = Worker::create(self->ioc_, std::move(code), std::move(options));
    } catch (const std::exception& e) {
      return self->finishStart(Failure{Failure::Kind::Exception, "Error", e.what(), "", ""});
    }
    self->worker_->start([weak](std::optional<Failure> failure) {
      if (auto self = weak.lock()) self->finishStart(std::move(failure));
    });
  });
  return self;
}

void WorkerInstance::finishStart(std::optional<Failure> failure) {
  started_ = true;
  failure_ = std::move(failure);
  // A Worker that failed to start serves nothing: it goes now (after this turn, outside its callback).
  if (failure_ && worker_) boost::asio::post(ioc_, [gone = std::move(worker_)] {});
  for (auto& ready : std::exchange(waiting_, {})) ready(worker_, failure_);
  if (!busy()) notifyIdle();
}

void WorkerInstance::whenStarted(Ready ready) {
  if (!started_) return waiting_.push_back(std::move(ready));
  boost::asio::post(ioc_, [ready = std::move(ready), worker = worker_, failure = failure_] { ready(worker, failure); });
}

std::shared_ptr<void> WorkerInstance::use() {
  inFlight_++;
  return std::make_shared<UseToken>(shared_from_this(), [this] { release(); });
}

void WorkerInstance::release() {
  inFlight_--;
  if (!busy()) notifyIdle();
}

void WorkerInstance::notifyIdle() {
  if (onIdle) boost::asio::post(ioc_, onIdle);
}

size_t WorkerInstance::memoryBytes() {
  if (!worker_) return 0;
  return worker_->isolate().heapUsedBytes() + worker_->isolate().arrayBufferBytes();
}

}  // namespace wisp::io
