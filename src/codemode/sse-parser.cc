#include "codemode/sse-parser.h"

namespace wisp::codemode {

void SseParser::feed(std::string_view bytes, const std::function<void(Event)>& event) {
  for (char c : bytes) {
    if (afterCr_) {
      afterCr_ = false;
      if (c == '\n') continue;  // "\r\n" ends one line
    }
    if (c == '\r' || c == '\n') {
      afterCr_ = c == '\r';
      std::string done = std::move(pending_);
      pending_.clear();
      line(done, event);
    } else {
      pending_ += c;
    }
  }
}

void SseParser::line(std::string_view line, const std::function<void(Event)>& event) {
  if (line.empty()) {  // dispatch
    if (hasData_) {
      if (!current_.data.empty() && current_.data.back() == '\n') current_.data.pop_back();
      event(std::move(current_));
    }
    current_ = Event{};
    hasData_ = false;
    return;
  }
  if (line.front() == ':') return;  // a comment (keep-alive)
  size_t colon = line.find(':');
  std::string_view field = line.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (field == "data") {
    current_.data.append(value);
    current_.data += '\n';
    hasData_ = true;
  } else if (field == "event") {
    current_.type = value;
  } else if (field == "id") {
    current_.id = value;
  }
}

}  // namespace wisp::codemode
