// The text/event-stream format (https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream),
// as far as an MCP client needs it: each event's data, fed piece by piece as bytes arrive.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace wisp::codemode {

class SseParser {
 public:
  struct Event {
    std::string type = "message";
    std::string data;
    std::string id;
  };

  // Feeds bytes; `event` runs for every event they complete (one with data).
  void feed(std::string_view bytes, const std::function<void(Event)>& event);

 private:
  void line(std::string_view line, const std::function<void(Event)>& event);

  std::string pending_;   // a line not yet ended
  bool afterCr_ = false;  // the last byte fed was '\r' (a following '\n' belongs to it)
  Event current_;
  bool hasData_ = false;
};

}  // namespace wisp::codemode
