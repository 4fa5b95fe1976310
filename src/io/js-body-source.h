// io::JsBodySource: a body a Worker's JavaScript produces as a ReadableStream (a streamed
// response, a fetch() request body), read from C++ as a BodySource. Each read enters the Worker
// for the invocation that made the stream and pulls one chunk (internals.pullBody, see
// js/fetch/native-body.js), so the stream is asked for its next chunk only when the reader
// wants it. The invocation lasts until the stream is over: ended, failed, cancelled by the
// reader, or abandoned because the invocation cannot go on (a limit, nothing left that could
// write to it, the Worker gone).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "io/body-stream.h"
#include "io/request-context.h"

namespace wisp::io {

class Worker;

class JsBodySource final : public BodySource, public std::enable_shared_from_this<JsBodySource> {
 public:
  // `id`: the stream's id in JS (exportStream). Counts as a streaming body of `ctx` from now on.
  JsBodySource(std::weak_ptr<Worker> worker, boost::asio::io_context& ioc, std::shared_ptr<RequestContext> ctx,
               uint64_t id, std::optional<uint64_t> length);
  ~JsBodySource() override;  // unread to its end: cancelled
  JsBodySource(const JsBodySource&) = delete;
  JsBodySource& operator=(const JsBodySource&) = delete;

  std::optional<uint64_t> length() const override { return length_; }
  void read(size_t maxBytes, std::function<void(BodyPiece)> done) override;
  void cancel(std::string reason) override;

  // The invocation cannot produce this stream any more: a pending read gets `why`. `toJs`: the
  // stream is also cancelled in JS (not when the isolate is condemned or gone).
  void abandon(const std::string& why, bool toJs);

  const RequestContext* context() const { return ctx_.get(); }
  bool pulling() const { return pulling_; }

 private:
  void pull();
  void pulled(BodyPiece piece);
  // The stream is over with `final`: later reads get it, the pending one now. Then the JS stream
  // is cancelled with final's error (if `cancelInJs`) and the invocation may settle.
  void close(BodyPiece final, bool cancelInJs = false);
  void deliver(BodyPiece piece);

  std::weak_ptr<Worker> worker_;
  boost::asio::io_context& ioc_;
  std::shared_ptr<RequestContext> ctx_;
  uint64_t id_;
  std::optional<uint64_t> length_;
  std::function<void(BodyPiece)> done_;  // the pending read
  bool pulling_ = false;                 // a pull waits on JS
  std::optional<BodyPiece> final_;       // set once over
};

}  // namespace wisp::io
