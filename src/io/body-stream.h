// io::BodySource: an HTTP body read by pulling. The reader asks for the next piece only when it
// can take it, so a slow reader slows the producer down (backpressure) and nothing is buffered
// beyond the piece in flight. One interface for every body that streams through the runtime:
// a request body arriving from a client (read by the Worker's JS), a Worker's streamed response
// body (read by the HTTP server, which writes each piece before asking for the next), and a
// ReadableStream request body of fetch() (read by libcurl).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace wisp::io {

// One result of BodySource::read: bytes, the end, or an error (the body cannot be read to its
// end; `error` says why). `last` marks bytes after which only the end follows, when the source
// knows it: a reader may stop there instead of reading once more for the end.
struct BodyPiece {
  std::string bytes;
  bool end = false;
  std::optional<std::string> error;
  bool last = false;

  static BodyPiece data(std::string bytes, bool last = false) { return {std::move(bytes), false, std::nullopt, last}; }
  static BodyPiece finished() { return {{}, true, std::nullopt}; }
  static BodyPiece failed(std::string why) { return {{}, false, std::move(why)}; }
};

class BodySource {
 public:
  virtual ~BodySource() = default;

  // The length in bytes, when known before reading (a Content-Length).
  virtual std::optional<uint64_t> length() const { return std::nullopt; }

  // Asks for the next piece, of at most about `maxBytes`. One read at a time; `done` runs once,
  // later, on the source's event loop, never inside this call. After the end or an error every
  // read gets the same answer.
  virtual void read(size_t maxBytes, std::function<void(BodyPiece)> done) = 0;

  // The reader will not read any more (the client went away, the consumer is done): the producer
  // is told (a Worker's stream is cancelled with `reason`) and a pending read gets an error. Safe
  // to call more than once.
  virtual void cancel(std::string reason) = 0;
};

}  // namespace wisp::io
