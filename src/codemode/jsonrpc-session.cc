#include "codemode/jsonrpc-session.h"

#include <algorithm>

#include <boost/asio/post.hpp>
#include <fmt/format.h>

namespace wisp::codemode {
namespace {

using nlohmann::json;

// More pages than this from tools/list is a server that loops on its cursor.
constexpr int kMaxToolPages = 1000;

// JSON-RPC's "method not found".
constexpr int kMethodNotFound = -32601;

std::optional<int64_t> idOf(const json& message) {
  auto it = message.find("id");
  if (it == message.end()) return std::nullopt;
  if (it->is_number_integer()) return it->get<int64_t>();
  if (it->is_number_unsigned()) return static_cast<int64_t>(it->get<uint64_t>());
  if (it->is_string()) {  // a server that echoes ids as strings
    const auto& s = it->get_ref<const std::string&>();
    char* end = nullptr;
    long long v = std::strtoll(s.c_str(), &end, 10);
    if (!s.empty() && end && *end == '\0') return v;
  }
  return std::nullopt;
}

// "Tool foo not found (code -32602)" from a JSON-RPC error object, whatever its shape.
std::string describeError(const json& error) {
  if (!error.is_object()) return error.dump(-1, ' ', false, json::error_handler_t::replace);
  std::string message;
  if (auto m = error.find("message"); m != error.end() && m->is_string()) message = m->get<std::string>();
  if (message.empty()) message = "no message";
  if (auto c = error.find("code"); c != error.end() && c->is_number_integer())
    return fmt::format("{} (code {})", message, c->get<int64_t>());
  return message;
}

std::string seconds(std::chrono::milliseconds d) { return fmt::format("{:g} s", d.count() / 1000.0); }

}  // namespace

bool isSupportedMcpProtocolVersion(const std::string& version) {
  for (const char* v : {"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"})
    if (version == v) return true;
  return false;
}

McpSession::McpSession(boost::asio::io_context& ioc, std::string name, std::unique_ptr<UpstreamTransport> transport,
                       std::chrono::milliseconds callTimeout)
    : ioc_(ioc),
      name_(std::move(name)),
      transport_(std::move(transport)),
      callTimeout_(callTimeout),
      setupTimeout_(std::max<std::chrono::milliseconds>(callTimeout, kSetupTimeout)) {}

McpSession::~McpSession() = default;

void McpSession::whenReady(std::function<void(std::optional<std::string>)> then) {
  switch (state_) {
    case State::Ready: return then(std::nullopt);
    case State::Closed: return then(fmt::format("upstream '{}' is shut down", name_));
    case State::Connecting: waitingForReady_.push_back(std::move(then)); return;
    case State::Idle:
      waitingForReady_.push_back(std::move(then));
      connect();
      return;
  }
}

void McpSession::connect() {
  state_ = State::Connecting;
  uint64_t connection = ++connection_;
  UpstreamTransport::Handlers handlers;
  handlers.message = [this, connection](json message) { onMessage(connection, std::move(message)); };
  handlers.undelivered = [this, connection](const json& request, std::string error) {
    onUndelivered(connection, request, std::move(error));
  };
  handlers.closed = [this, connection](std::string why) { onClosed(connection, std::move(why)); };
  transport_->open(std::move(handlers));
  json params = {{"protocolVersion", kMcpProtocolVersion},
                 {"capabilities", json::object()},
                 {"clientInfo", {{"name", "wisp"}, {"version", "0.1.0"}}}};
  request("initialize", std::move(params), "initialize", setupTimeout_,
          [this, connection](std::optional<json> result, std::optional<std::string> error) {
            if (connection != connection_ || state_ != State::Connecting) return;
            if (error) return connectFailed(*error);
            connected(*result);
          });
}

void McpSession::connected(const json& result) {
  std::string version;
  if (result.is_object())
    if (auto v = result.find("protocolVersion"); v != result.end() && v->is_string()) version = v->get<std::string>();
  if (version.empty())
    return connectFailed(fmt::format("upstream '{}' answered initialize without a protocolVersion", name_));
  if (!isSupportedMcpProtocolVersion(version))
    return connectFailed(
        fmt::format("upstream '{}' speaks MCP protocol version {}, which wisp does not support", name_, version));
  transport_->setProtocolVersion(version);
  state_ = State::Ready;
  notify("notifications/initialized", json::object());
  auto waiting = std::move(waitingForReady_);
  waitingForReady_.clear();
  for (auto& then : waiting) then(std::nullopt);
}

void McpSession::connectFailed(const std::string& error) {
  if (state_ == State::Closed) return;
  state_ = State::Idle;
  ++connection_;  // whatever the old connection still reports is dropped
  transport_->close([] {});
  failAll(error);
}

void McpSession::failAll(const std::string& error) {
  tools_.reset();
  auto pending = std::move(pending_);
  pending_.clear();
  for (auto& [id, p] : pending) p.done(std::nullopt, error);
  auto waiting = std::move(waitingForReady_);
  waitingForReady_.clear();
  for (auto& then : waiting) then(error);
}

void McpSession::request(const std::string& method, json params, std::string what, std::chrono::milliseconds timeout,
                         Done done) {
  int64_t id = nextId_++;
  json message = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
  auto timer = std::make_unique<boost::asio::steady_timer>(ioc_, timeout);
  timer->async_wait([this, id, timeout](const boost::system::error_code& error) {
    if (!error) timedOut(id, timeout);
  });
  pending_.emplace(id, Pending{std::move(what), std::move(done), std::move(timer)});
  transport_->send(message);
}

void McpSession::notify(const std::string& method, json params) {
  transport_->send({{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}});
}

void McpSession::timedOut(int64_t id, std::chrono::milliseconds timeout) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  Pending p = std::move(it->second);
  pending_.erase(it);
  std::string error =
      fmt::format("upstream '{}' did not answer {} within {}{}", name_, p.what, seconds(timeout), transport_->hint());
  if (state_ == State::Ready)
    notify("notifications/cancelled", {{"requestId", id}, {"reason", "wisp stopped waiting (timeout)"}});
  p.done(std::nullopt, error);
}

void McpSession::onMessage(uint64_t connection, json message) {
  if (connection != connection_ || state_ == State::Closed) return;
  if (!message.is_object()) return;
  if (message.contains("method")) {
    if (message.contains("id")) return answerServerRequest(message);
    auto method = message["method"];
    if (method == "notifications/tools/list_changed") tools_.reset();
    return;  // other notifications (progress, logging) are not needed here
  }
  onResponse(message);
}

void McpSession::onResponse(const json& message) {
  auto id = idOf(message);
  if (!id) return;  // an error about a message it could not parse: the request times out or fails otherwise
  auto it = pending_.find(*id);
  if (it == pending_.end()) return;  // answered after it timed out
  Pending p = std::move(it->second);
  pending_.erase(it);
  if (auto error = message.find("error"); error != message.end())
    return p.done(std::nullopt, fmt::format("upstream '{}' answered {} with an error: {}", name_, p.what, describeError(*error)));
  auto result = message.find("result");
  if (result == message.end())
    return p.done(std::nullopt, fmt::format("upstream '{}' answered {} with neither result nor error", name_, p.what));
  p.done(*result, std::nullopt);
}

void McpSession::answerServerRequest(const json& message) {
  json answer = {{"jsonrpc", "2.0"}, {"id", message["id"]}};
  const json& method = message["method"];
  if (method == "ping") {
    answer["result"] = json::object();
  } else {
    // wisp declares no client capabilities: no roots, no sampling, no elicitation.
    std::string name = method.is_string() ? method.get<std::string>() : method.dump();
    answer["error"] = {{"code", kMethodNotFound},
                       {"message", fmt::format("wisp's MCP client does not support {}", name)}};
  }
  transport_->send(answer);
}

void McpSession::onUndelivered(uint64_t connection, const json& request, std::string error) {
  if (connection != connection_) return;
  auto id = idOf(request);
  if (!id) return;
  auto it = pending_.find(*id);
  if (it == pending_.end()) return;
  Pending p = std::move(it->second);
  pending_.erase(it);
  p.done(std::nullopt, std::move(error));
}

void McpSession::onClosed(uint64_t connection, std::string why) {
  if (connection != connection_ || state_ == State::Closed) return;
  state_ = State::Idle;  // the next call starts it again
  ++connection_;
  failAll(why);
}

void McpSession::listTools(Done done) {
  if (state_ == State::Ready && tools_) return done(*tools_, std::nullopt);
  waitingForTools_.push_back(std::move(done));
  if (listing_) return;
  listing_ = true;
  whenReady([this](std::optional<std::string> error) {
    if (error) return listed(std::nullopt, error);
    listPage(std::nullopt, std::make_shared<json>(json::array()), 1);
  });
}

void McpSession::listPage(std::optional<std::string> cursor, std::shared_ptr<json> tools, int page) {
  json params = json::object();
  if (cursor) params["cursor"] = *cursor;
  uint64_t connection = connection_;
  request("tools/list", std::move(params), "tools/list", setupTimeout_,
          [this, tools, page, connection](std::optional<json> result, std::optional<std::string> error) {
            if (error) return listed(std::nullopt, error);
            const json* list = nullptr;
            if (result->is_object())
              if (auto t = result->find("tools"); t != result->end() && t->is_array()) list = &*t;
            if (!list) return listed(std::nullopt, fmt::format("upstream '{}' answered tools/list without a tools array", name_));
            for (const auto& tool : *list)
              if (tool.is_object() && tool.contains("name") && tool["name"].is_string()) tools->push_back(tool);
            auto next = result->find("nextCursor");
            if (next != result->end() && next->is_string() && !next->get_ref<const std::string&>().empty()) {
              if (page >= kMaxToolPages)
                return listed(std::nullopt, fmt::format("upstream '{}' answered tools/list with more than {} pages", name_, kMaxToolPages));
              return listPage(next->get<std::string>(), tools, page + 1);
            }
            if (connection == connection_ && state_ == State::Ready) tools_ = *tools;
            listed(*tools, std::nullopt);
          });
}

void McpSession::listed(std::optional<json> tools, std::optional<std::string> error) {
  listing_ = false;
  auto waiting = std::move(waitingForTools_);
  waitingForTools_.clear();
  for (auto& done : waiting) done(tools, error);
}

void McpSession::callTool(const std::string& tool, json arguments, Done done) {
  whenReady([this, tool, arguments = std::move(arguments), done = std::move(done)](std::optional<std::string> error) mutable {
    if (error) return done(std::nullopt, error);
    if (arguments.is_null()) arguments = json::object();
    json params = {{"name", tool}, {"arguments", std::move(arguments)}};
    std::string what = fmt::format("tools/call '{}'", tool);
    request("tools/call", std::move(params), what, callTimeout_,
            [this, what, done = std::move(done)](std::optional<json> result, std::optional<std::string> error) {
              if (error) return done(std::nullopt, error);
              if (!result->is_object())
                return done(std::nullopt, fmt::format("upstream '{}' answered {} with a result that is not an object", name_, what));
              done(std::move(result), std::nullopt);
            });
  });
}

void McpSession::close(std::function<void()> done) {
  if (state_ == State::Closed) return boost::asio::post(ioc_, std::move(done));
  state_ = State::Closed;
  ++connection_;
  failAll(fmt::format("upstream '{}' was shut down", name_));
  listing_ = false;
  auto waiting = std::move(waitingForTools_);
  waitingForTools_.clear();
  for (auto& d : waiting) d(std::nullopt, fmt::format("upstream '{}' was shut down", name_));
  transport_->close(std::move(done));
}

}  // namespace wisp::codemode
