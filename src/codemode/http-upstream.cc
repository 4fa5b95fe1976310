#include "codemode/http-upstream.h"

#include <unistd.h>

#include <algorithm>

#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include "codemode/jsonrpc-session.h"
#include "codemode/sse-parser.h"
#include "io/outbound/http-client.h"

namespace wisp::codemode {
namespace {

using nlohmann::json;

// How much of an error body is kept for the error text.
constexpr size_t kErrorBodyBytes = 64 * 1024;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::optional<std::string> header(const io::HeaderList& headers, std::string_view name) {
  for (auto& [key, value] : headers)
    if (lower(key) == name) return value;
  return std::nullopt;
}

std::string excerpt(std::string_view text, size_t max = 200) {
  std::string out;
  for (char c : text.substr(0, max)) out += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
  if (text.size() > max) out += "...";
  return out;
}

std::optional<int64_t> requestId(const json& message) {
  if (!message.is_object() || !message.contains("method")) return std::nullopt;
  auto it = message.find("id");
  if (it == message.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}

bool answers(const json& message, int64_t id) {
  if (!message.is_object() || message.contains("method")) return false;
  auto it = message.find("id");
  if (it == message.end()) return false;
  if (it->is_number_integer()) return it->get<int64_t>() == id;
  return it->is_string() && it->get<std::string>() == std::to_string(id);
}

// curl's reason without the fetch() framing io::HttpClient gives it for Workers.
std::string transferError(const std::string& message, const std::string& url) {
  std::string prefix = "fetch() to " + url + " failed: ";
  return message.starts_with(prefix) ? message.substr(prefix.size()) : message;
}

// An error body for one line of text: an HTML page's text without its tags.
std::string bodyText(std::string_view body) {
  std::string out;
  bool inTag = false, space = false;
  for (char c : body) {
    if (c == '<') inTag = true;
    else if (c == '>' && inTag) inTag = false, space = true;
    else if (!inTag && static_cast<unsigned char>(c) <= ' ') space = true;
    else if (!inTag) {
      if (space && !out.empty()) out += ' ';
      space = false;
      out += c;
    }
  }
  return excerpt(out);
}

void log(std::string_view text) {
  std::string line = std::string(text) + "\n";
  [[maybe_unused]] auto n = ::write(2, line.data(), line.size());
}

}  // namespace

struct HttpUpstream::Exchange {
  json message;
  std::optional<int64_t> id;  // set when the message is a request that wants an answer
  uint64_t session = 0;
  std::shared_ptr<io::HttpTransfer> transfer;
  std::optional<io::ResponseHead> head;
  enum class Body { Json, EventStream, Error } body = Body::Json;
  std::string bytes;  // a JSON or error body, as it arrives
  SseParser events;
  bool answered = false;
  bool over = false;
};

HttpUpstream::HttpUpstream(boost::asio::io_context& ioc, std::string name, std::string url,
                           std::vector<std::pair<std::string, std::string>> headers, std::chrono::milliseconds timeout)
    : ioc_(ioc), name_(std::move(name)), url_(std::move(url)), headers_(std::move(headers)) {
  auto settings = std::make_shared<io::OutboundSettings>();
  // The operator named this server: loopback and private addresses are fine.
  io::EgressPolicy::Rules rules;
  rules.allowPrivate = true;
  settings->policy = io::EgressPolicy(rules);
  // Past the session's own timeout, so that the session's clearer error comes first.
  auto longest = std::max<std::chrono::milliseconds>(timeout, kSetupTimeout);
  settings->timeoutMs = static_cast<double>(longest.count()) + 5000;
  settings_ = std::move(settings);
}

HttpUpstream::~HttpUpstream() {
  for (auto& [raw, ex] : exchanges_) {
    ex->over = true;
    if (ex->transfer) ex->transfer->cancel("wisp is shutting down");
  }
}

void HttpUpstream::open(Handlers handlers) {
  ++session_;
  handlers_ = std::move(handlers);
  sessionId_.reset();
  protocolVersion_.reset();
}

bool HttpUpstream::current(const Exchange& ex) const { return !ex.over && ex.session == session_; }

void HttpUpstream::send(const json& message) {
  auto ex = std::make_shared<Exchange>();
  ex->message = message;
  ex->id = requestId(message);
  ex->session = session_;
  io::OutboundRequest request;
  request.method = "POST";
  request.url = url_;
  request.headers = headers_;
  request.headers.emplace_back("Content-Type", "application/json");
  request.headers.emplace_back("Accept", "application/json, text/event-stream");
  if (sessionId_) request.headers.emplace_back("Mcp-Session-Id", *sessionId_);
  if (protocolVersion_) request.headers.emplace_back("MCP-Protocol-Version", *protocolVersion_);
  request.body = message.dump(-1, ' ', false, json::error_handler_t::replace);
  exchanges_.emplace(ex.get(), ex);
  try {
    ex->transfer = io::HttpClient::of(ioc_).start(
        std::move(request), settings_,
        [this, ex](std::optional<io::ResponseHead> head, std::optional<io::TransferError> error) {
          if (!current(*ex)) return finish(ex, std::nullopt);
          if (error)
            return finish(ex, fmt::format("upstream '{}' could not be reached: {}", name_, transferError(error->message, url_)));
          ex->head = std::move(head);
          onHead(ex);
        });
  } catch (const std::exception& e) {
    boost::asio::post(ioc_, [this, ex, why = fmt::format("upstream '{}' has a URL that cannot be used: {}", name_, url_)] {
      finish(ex, current(*ex) ? std::optional(why) : std::nullopt);
    });
  }
}

void HttpUpstream::onHead(std::shared_ptr<Exchange> ex) {
  const io::ResponseHead& head = *ex->head;
  if (auto id = header(head.headers, "mcp-session-id"); id && !id->empty()) sessionId_ = *id;
  if (head.status == 404 && ex->message.value("method", "") != "initialize" && sessionId_) {
    // https://modelcontextprotocol.io/specification/2025-06-18/basic/transports#session-management:
    // the session is gone; the next call starts a new one.
    finish(ex, std::nullopt);
    if (handlers_.closed) {
      ++session_;
      handlers_.closed(fmt::format("upstream '{}' ended its MCP session (HTTP 404); the next call starts a new one", name_));
    }
    return;
  }
  if (head.status == 202 || head.status == 204) {
    return finish(ex, fmt::format("upstream '{}' answered HTTP {} without a response", name_, head.status));
  }
  if (head.status >= 300) {
    ex->body = Exchange::Body::Error;
  } else {
    std::string type = lower(header(head.headers, "content-type").value_or(""));
    ex->body = type.starts_with("text/event-stream") ? Exchange::Body::EventStream : Exchange::Body::Json;
  }
  readBody(ex);
}

void HttpUpstream::readBody(std::shared_ptr<Exchange> ex) {
  ex->transfer->read([this, ex](std::optional<io::HttpTransfer::Chunk> chunk, std::optional<io::TransferError> error) {
    if (!current(*ex)) return finish(ex, std::nullopt);
    if (error)
      return finish(ex, fmt::format("upstream '{}': the answer broke off: {}", name_, transferError(error->message, url_)));
    if (chunk->end) return onBodyEnd(ex);
    onBytes(*ex, chunk->bytes);
    if (ex->answered && ex->body == Exchange::Body::EventStream) return finish(ex, std::nullopt);
    if (!current(*ex)) return finish(ex, std::nullopt);
    readBody(ex);
  });
}

void HttpUpstream::onBytes(Exchange& ex, std::string_view bytes) {
  if (ex.body == Exchange::Body::EventStream) {
    ex.events.feed(bytes, [&](SseParser::Event event) {
      if (event.type != "message" || !current(ex)) return;
      auto message = json::parse(event.data, nullptr, /*allow_exceptions=*/false);
      if (message.is_discarded()) {
        log(fmt::format("[{}] skipped an event that is not JSON: {}", name_, excerpt(event.data)));
        return;
      }
      deliver(ex, std::move(message));
    });
    return;
  }
  if (ex.body == Exchange::Body::Error && ex.bytes.size() >= kErrorBodyBytes) return;
  ex.bytes.append(bytes);
}

void HttpUpstream::onBodyEnd(std::shared_ptr<Exchange> ex) {
  const io::ResponseHead& head = *ex->head;
  if (ex->body == Exchange::Body::EventStream) {
    return finish(ex, fmt::format("upstream '{}' ended its event stream without answering", name_));
  }
  auto message = json::parse(ex->bytes, nullptr, /*allow_exceptions=*/false);
  if (ex->body == Exchange::Body::Error) {
    // A JSON-RPC error about this very request says more than the status does.
    if (ex->id && answers(message, *ex->id) && message.contains("error")) {
      deliver(*ex, std::move(message));
      return finish(ex, std::nullopt);
    }
    std::string detail = message.is_object() && message.contains("error") && message["error"].is_object()
                             ? message["error"].value("message", "")
                             : bodyText(ex->bytes);
    std::string status = head.statusText.empty() ? std::to_string(head.status)
                                                  : fmt::format("{} {}", head.status, head.statusText);
    return finish(ex, detail.empty() ? fmt::format("upstream '{}' answered HTTP {}", name_, status)
                                     : fmt::format("upstream '{}' answered HTTP {}: {}", name_, status, detail));
  }
  if (message.is_discarded() || !(message.is_object() || message.is_array())) {
    return finish(ex, fmt::format("upstream '{}' answered with a body that is not JSON-RPC: {}", name_, excerpt(ex->bytes)));
  }
  deliver(*ex, std::move(message));
  finish(ex, fmt::format("upstream '{}' answered without a response to the request", name_));
}

void HttpUpstream::deliver(Exchange& ex, json message) {
  if (message.is_array()) {
    for (auto& m : message) deliver(ex, std::move(m));
    return;
  }
  if (ex.id && answers(message, *ex.id)) ex.answered = true;
  if (current(ex) && handlers_.message) handlers_.message(std::move(message));
}

void HttpUpstream::finish(std::shared_ptr<Exchange> ex, std::optional<std::string> error) {
  bool wasCurrent = current(*ex);
  ex->over = true;
  if (exchanges_.erase(ex.get()) && ex->transfer) ex->transfer->cancel("done");
  if (!wasCurrent || !error) return;
  if (ex->id) {
    if (!ex->answered && handlers_.undelivered) handlers_.undelivered(ex->message, *error);
  } else if (!ex->head || ex->head->status >= 300) {
    log(fmt::format("[{}] {}", name_, *error));  // a notification or an answer of ours was refused
  }
}

void HttpUpstream::close(std::function<void()> done) {
  ++session_;
  handlers_ = {};
  auto exchanges = std::move(exchanges_);
  exchanges_.clear();
  for (auto& [raw, ex] : exchanges) {
    ex->over = true;
    if (ex->transfer) ex->transfer->cancel("closed");
  }
  protocolVersion_.reset();
  auto sessionId = std::exchange(sessionId_, std::nullopt);
  if (!sessionId) return boost::asio::post(ioc_, std::move(done));
  // Tell the server the session is over (it may answer 405: it keeps sessions to itself).
  io::OutboundRequest request;
  request.method = "DELETE";
  request.url = url_;
  request.headers = headers_;
  request.headers.emplace_back("Mcp-Session-Id", *sessionId);
  auto settings = std::make_shared<io::OutboundSettings>(*settings_);
  settings->timeoutMs = 2000;
  try {
    auto keep = std::make_shared<std::shared_ptr<io::HttpTransfer>>();
    *keep = io::HttpClient::of(ioc_).start(std::move(request), settings,
                                           [keep, done](std::optional<io::ResponseHead>, std::optional<io::TransferError>) {
                                             if (*keep) (*keep)->cancel("done");
                                             keep->reset();
                                             done();
                                           });
  } catch (const std::exception&) {
    boost::asio::post(ioc_, std::move(done));
  }
}

}  // namespace wisp::codemode
