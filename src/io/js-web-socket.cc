#include "io/js-web-socket.h"

#include <boost/asio/post.hpp>

#include "io/worker.h"
#include "js/promise.h"

namespace wisp::io {

namespace {
constexpr const char* kDisconnected = "WebSocket disconnected without sending Close frame.";
}

JsWebSocket::JsWebSocket(std::weak_ptr<Worker> worker, boost::asio::io_context& ioc,
                         std::shared_ptr<RequestContext> ctx, uint64_t id)
    : worker_(std::move(worker)), ioc_(ioc), ctx_(std::move(ctx)), id_(id) {
  ctx_->openWebSockets++;
}

JsWebSocket::~JsWebSocket() {
  if (released_) return;
  // Nobody will ever deliver this end's close: JS gets one now (posted: this may run inside an
  // entry), then the invocation may end.
  released_ = true;
  ctx_->openWebSockets--;
  auto worker = worker_.lock();
  if (!worker) return;
  boost::asio::post(ioc_, [worker = worker_, ctx = ctx_, id = id_] {
    auto w = worker.lock();
    if (!w) return;
    if (!ctx->finished && !w->condemned()) {
      w->enter(ctx, [&](js::Lock& js) {
        js::callInternal(js, "webSocketEvent", {js.number(static_cast<double>(id)), js.string("close"),
                                                js.number(1006), js.string(kDisconnected), js.boolean(false)});
      });
    }
    w->settle(ctx);
  });
}

void JsWebSocket::connect(std::function<void()> wake) {
  wake_ = std::move(wake);
  if (!queue_.empty()) boost::asio::post(ioc_, wake_);
}

std::optional<WebSocketOutgoing> JsWebSocket::take() {
  if (queue_.empty()) return std::nullopt;
  auto item = std::move(queue_.front());
  queue_.pop_front();
  queuedBytes_ -= item.message.data.size();
  return item;
}

void JsWebSocket::receive(WebSocketMessage message) {
  if (released_) return;
  auto worker = worker_.lock();
  if (!worker || ctx_->finished || worker->condemned())
    return abandon(1011, "The Worker serving this WebSocket is gone.");
  worker->enter(ctx_, [&](js::Lock& js) {
    auto data = message.text ? js.string(message.data) : js.bytes(message.data);
    js::callInternal(js, "webSocketEvent", {js.number(static_cast<double>(id_)), js.string("message"), data});
  });
}

void JsWebSocket::closed(int code, std::string reason, bool clean) {
  if (released_) return;
  outgoingDone_ = true;  // the connection is gone: nothing JS sends later can reach it
  queue_.clear();
  queuedBytes_ = 0;
  auto worker = worker_.lock();
  if (worker && !ctx_->finished && !worker->condemned()) {
    worker->enter(ctx_, [&](js::Lock& js) {
      js::callInternal(js, "webSocketEvent", {js.number(static_cast<double>(id_)), js.string("close"),
                                              js.number(code), js.string(reason), js.boolean(clean)});
    });
  }
  release();
}

void JsWebSocket::send(WebSocketMessage message) {
  if (outgoingDone_) return;
  if (queuedBytes_ + message.data.size() > kMaxBufferedBytes) {
    // The client is not reading (or not fast enough): cut rather than buffer without bound.
    queue_.clear();
    queuedBytes_ = 0;
    return push({WebSocketOutgoing::Kind::cut, {}, 1006,
                 "The client did not read: more than " + std::to_string(kMaxBufferedBytes >> 20) +
                     " MiB of WebSocket messages were waiting to be sent."});
  }
  queuedBytes_ += message.data.size();
  push({WebSocketOutgoing::Kind::message, std::move(message), 0, {}});
}

void JsWebSocket::close(int code, std::string reason) {
  if (outgoingDone_) return;
  push({WebSocketOutgoing::Kind::close, {}, code, std::move(reason)});
}

void JsWebSocket::abandon(int code, std::string reason) {
  if (!outgoingDone_) {
    queue_.clear();
    queuedBytes_ = 0;
    push({WebSocketOutgoing::Kind::close, {}, code, std::move(reason)});
  }
  release();
}

void JsWebSocket::push(WebSocketOutgoing item) {
  if (item.kind != WebSocketOutgoing::Kind::message) outgoingDone_ = true;
  queue_.push_back(std::move(item));
  if (wake_) boost::asio::post(ioc_, wake_);
}

void JsWebSocket::release() {
  if (released_) return;
  released_ = true;
  ctx_->openWebSockets--;
  // The invocation may be over now (posted: this may run inside an entry).
  boost::asio::post(ioc_, [worker = worker_, ctx = ctx_] {
    if (auto w = worker.lock()) w->settle(ctx);
  });
}

}  // namespace wisp::io
