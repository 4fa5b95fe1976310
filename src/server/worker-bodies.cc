#include "server/worker-bodies.h"

#include <strings.h>

#include <boost/asio/post.hpp>

namespace wisp::server {
namespace {

// The most one write of a streamed response carries; the source is asked for this much.
constexpr size_t kResponsePiece = 64 * 1024;

// What the Worker's read of the request body fails with (a TypeError in JS).
std::string bodyErrorText(BodyError error) {
  switch (error) {
    case BodyError::tooLarge: return "The request body is larger than the server accepts (wisp.maxBodyBytes).";
    case BodyError::malformed: return "The request body is malformed (bad chunked encoding).";
    case BodyError::timeout: return "The client stopped sending the request body.";
    case BodyError::disconnected: return "The client disconnected before the request body was complete.";
    case BodyError::unavailable: return "The request body is no longer available: the response has been sent.";
    case BodyError::none: break;
  }
  return "The request body could not be read.";
}

class RequestBodySource final : public io::BodySource, public std::enable_shared_from_this<RequestBodySource> {
 public:
  RequestBodySource(RequestBody body, boost::asio::io_context& loop) : body_(std::move(body)), loop_(loop) {}

  std::optional<uint64_t> length() const override { return body_.contentLength(); }

  void read(size_t maxBytes, std::function<void(io::BodyPiece)> done) override {
    if (final_) {
      boost::asio::post(loop_, [done = std::move(done), piece = *final_] { done(piece); });
      return;
    }
    body_.read(
        [weak = weak_from_this(), done = std::move(done)](BodyChunk chunk) {
          io::BodyPiece piece;
          if (chunk.error != BodyError::none) piece = io::BodyPiece::failed(bodyErrorText(chunk.error));
          else if (chunk.end()) piece = io::BodyPiece::finished();
          else piece = io::BodyPiece::data(std::move(chunk.data), chunk.last);
          if (auto self = weak.lock(); self && !self->final_) {
            // Over: later reads are answered here (the server forgets the body with the exchange).
            if (piece.end || piece.error) self->final_ = piece;
            else if (piece.last) self->final_ = io::BodyPiece::finished();
          }
          done(std::move(piece));
        },
        maxBytes);
  }

  // Nothing to tell the server: what the Worker leaves unread is skipped after the response.
  void cancel(std::string reason) override {
    if (!final_) final_ = io::BodyPiece::failed(std::move(reason));
  }

 private:
  RequestBody body_;
  boost::asio::io_context& loop_;
  std::optional<io::BodyPiece> final_;  // the end, an error, or the cancellation
};

// Writes a body stream to the client: one piece at a time, the next asked for once the socket
// has taken the last.
class ResponsePump : public std::enable_shared_from_this<ResponsePump> {
 public:
  ResponsePump(Responder responder, std::shared_ptr<io::BodySource> source)
      : responder_(std::move(responder)), source_(std::move(source)) {}

  void next() {
    source_->read(kResponsePiece, [self = shared_from_this()](io::BodyPiece piece) { self->onPiece(std::move(piece)); });
  }

 private:
  void onPiece(io::BodyPiece piece) {
    if (piece.error) {
      // Cut, so the client cannot take a truncated body for a whole one.
      return responder_.fail("the response body stream failed: " + *piece.error);
    }
    if (piece.end) {
      responder_.end();
      return;
    }
    if (piece.last) {
      responder_.write(std::move(piece.bytes));
      responder_.end();
      return;
    }
    responder_.write(std::move(piece.bytes), [self = shared_from_this()](bool ok) {
      if (ok) self->next();
      else self->source_->cancel("The client disconnected.");
    });
  }

  Responder responder_;
  std::shared_ptr<io::BodySource> source_;
};

bool hasHeader(const io::HeaderList& headers, const char* name) {
  for (auto& [key, value] : headers)
    if (strcasecmp(key.c_str(), name) == 0) return true;
  return false;
}

}  // namespace

void attachRequestBody(const Request& request, io::HttpRequest& out) {
  if (!request.body.present() || !request.loop) return;
  RequestBody body = request.body;
  if (auto arrived = body.takeArrived()) {
    out.body = std::move(*arrived);
    return;
  }
  out.bodyStream = std::make_shared<RequestBodySource>(request.body, *request.loop);
}

void sendResponse(Responder responder, io::HttpResponse response) {
  if (!response.bodyStream) {
    responder.send(response.status, std::move(response.headers), std::move(response.body), response.statusText);
    return;
  }
  auto source = std::move(response.bodyStream);
  if (auto length = source->length(); length && !hasHeader(response.headers, "content-length"))
    response.headers.emplace_back("content-length", std::to_string(*length));
  // Registered before anything is written: a client gone at any point stops the stream.
  responder.onCancel([source] { source->cancel("The client disconnected."); });
  if (!responder.start(response.status, std::move(response.headers), response.statusText)) {
    source->cancel("The response could not be sent.");
    return;
  }
  std::make_shared<ResponsePump>(std::move(responder), std::move(source))->next();
}

}  // namespace wisp::server
