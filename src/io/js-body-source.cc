#include "io/js-body-source.h"

#include <boost/asio/post.hpp>

#include "io/worker.h"
#include "js/promise.h"

namespace wisp::io {

JsBodySource::JsBodySource(std::weak_ptr<Worker> worker, boost::asio::io_context& ioc,
                           std::shared_ptr<RequestContext> ctx, uint64_t id, std::optional<uint64_t> length)
    : worker_(std::move(worker)), ioc_(ioc), ctx_(std::move(ctx)), id_(id), length_(length) {
  ctx_->streamingBodies++;
}

JsBodySource::~JsBodySource() {
  if (pulling_) ctx_->bodyPulls--;
  if (final_) return;
  // The reader let go before the end: the stream is cancelled and the invocation may end.
  ctx_->streamingBodies--;
  boost::asio::post(ioc_, [worker = worker_, ctx = ctx_, id = id_] {
    if (auto w = worker.lock()) w->cancelJsBody(ctx, id, "The body's reader went away.");
  });
}

void JsBodySource::read(size_t, std::function<void(BodyPiece)> done) {
  if (!done) return;
  if (done_) {
    boost::asio::post(ioc_, [done = std::move(done)] { done(BodyPiece::failed("A read of this body is already pending.")); });
    return;
  }
  done_ = std::move(done);
  if (final_) return deliver(*final_);
  boost::asio::post(ioc_, [weak = weak_from_this()] {
    if (auto self = weak.lock()) self->pull();
  });
}

void JsBodySource::pull() {
  if (final_ || !done_ || pulling_) return;
  auto worker = worker_.lock();
  if (!worker) return close(BodyPiece::failed("The Worker producing this body was unloaded."));
  if (ctx_->finished) return close(BodyPiece::failed("The invocation that produced this body is over."));
  pulling_ = true;
  ctx_->bodyPulls++;
  std::weak_ptr<JsBodySource> weak = weak_from_this();
  // The reactions hold only a weak reference: a reader that lets go of this source ends it.
  bool entered = worker->enter(ctx_, [&](js::Lock& js) {
    auto chunk = js::callInternal(js, "pullBody", {js.number(static_cast<double>(id_))});
    js::then(
        js, chunk,
        [weak](js::Lock& js, js::Value record) {
          auto self = weak.lock();
          if (!self) return;
          auto bytes = js.property(record, "bytes");
          self->pulled(bytes.isUndefined() ? BodyPiece::finished() : BodyPiece::data(js.toBytes(bytes)));
        },
        [weak](js::Lock& js, js::Value error) {
          auto self = weak.lock();
          if (!self) return;
          self->pulled(BodyPiece::failed(js.describe(error).what()));
        });
  });
  // A limit ended the isolate (every JS body was abandoned then), or the call itself failed.
  if (!entered) close(BodyPiece::failed("The Worker failed while producing this body."));
}

void JsBodySource::pulled(BodyPiece piece) {
  if (!pulling_) return;  // over already (cancelled, abandoned)
  pulling_ = false;
  ctx_->bodyPulls--;
  if (piece.end || piece.error) return close(std::move(piece));
  deliver(std::move(piece));
}

void JsBodySource::cancel(std::string reason) { close(BodyPiece::failed(reason), true); }

void JsBodySource::abandon(const std::string& why, bool toJs) { close(BodyPiece::failed(why), toJs); }

void JsBodySource::close(BodyPiece final, bool cancelInJs) {
  if (final_) return;
  final_ = std::move(final);
  if (pulling_) {  // its answer, if it ever comes, is ignored
    pulling_ = false;
    ctx_->bodyPulls--;
  }
  ctx_->streamingBodies--;
  if (done_) deliver(*final_);
  // Then the invocation may be over (posted: this may run inside an entry). The JS stream is
  // cancelled first, so that its cancel() still runs inside the invocation.
  std::optional<std::string> reason;
  if (cancelInJs) reason = *final_->error;
  boost::asio::post(ioc_, [worker = worker_, ctx = ctx_, id = id_, reason = std::move(reason)] {
    auto w = worker.lock();
    if (!w) return;
    if (reason) w->cancelJsBody(ctx, id, *reason);
    else w->settle(ctx);
  });
}

void JsBodySource::deliver(BodyPiece piece) {
  auto done = std::move(done_);
  done_ = nullptr;
  boost::asio::post(ioc_, [done = std::move(done), piece = std::move(piece)]() mutable { done(std::move(piece)); });
}

}  // namespace wisp::io
