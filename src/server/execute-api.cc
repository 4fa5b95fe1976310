#include "server/execute-api.h"

#include <boost/asio/post.hpp>

#include "io/worker-instance.h"
#include "server/api-json.h"
#include "server/capnweb-gateway.h"
#include "server/mcp-host.h"
#include "server/websocket-session.h"

namespace wisp::server {
namespace {

using nlohmann::json;

void sendResult(Responder& responder, const std::optional<json>& result, const std::optional<io::Failure>& error,
                const std::vector<io::LogEntry>& logs, const io::InvocationStats& stats) {
  sendJson(responder, 200,
           {{"result", result ? *result : json(nullptr)},
            {"error", error ? failureJson(*error) : json(nullptr)},
            {"logs", logsJson(logs)},
            {"stats", {{"coldStart", stats.coldStart}, {"cpuMs", stats.cpuMs}, {"wallMs", stats.wallMs}}}});
}

// What a Worker of /v1/execute is made of: the same id with other code, env or limits is another
// Worker.
std::string executeFingerprint(const json& body) {
  json what = json::object();
  for (const char* key : {"code", "modules", "mainModule", "env", "limits", "outbound"})
    if (body.contains(key)) what[key] = body[key];
  return fingerprint(what.dump());
}

}  // namespace

ExecuteApi::ExecuteApi(ExecuteApiOptions options, const std::vector<boost::asio::io_context*>& loops)
    : options_(std::move(options)) {
  if (!options_.budget) options_.budget = std::make_shared<io::CacheBudget>(uint64_t{1} << 30, 10'000);
  std::vector<ApiLoop*> raw;
  for (auto* ioc : loops) {
    loops_.push_back(std::make_unique<ApiLoop>(*ioc, options_.budget, options_.idleSeconds));
    raw.push_back(loops_.back().get());
  }
  workers_ = std::make_unique<WorkersApi>(std::move(raw), options_.limits, options_.apiToken);
  io::LoaderSettings loader;
  loader.budget = options_.budget;
  loader.idleSeconds = options_.idleSeconds;
  capnweb_ = makeCapnwebGateway(options_.limits, std::move(loader), loops);
  if (!options_.mcpUpstreams.empty()) {
    McpHostOptions mcp{std::move(options_.mcpUpstreams), options_.limits, options_.budget, [](const io::LogEntry& e) {
      logLine(nlohmann::json{{"type", "console"}, {"source", "mcp"}, {"level", api::logLevelName(e.level)},
                             {"message", e.message}}.dump());
    }};
    mcp_ = std::make_unique<McpHost>(std::move(mcp), *loops.front());
  }
}

ExecuteApi::~ExecuteApi() = default;

ApiLoop* ExecuteApi::loopOf(const Request& request) {
  for (auto& l : loops_)
    if (&l->ioc == request.loop) return l.get();
  return nullptr;
}

void ExecuteApi::handle(Request request, Responder responder) {
  if (!authorized(request, options_.apiToken)) {
    return sendJsonError(responder, 401, "Unauthorized", "A valid 'Authorization: Bearer <token>' header is required.",
                         "", {{"www-authenticate", "Bearer"}});
  }
  ApiLoop* loop = loopOf(request);
  if (!loop) return responder.fail();
  auto query = request.target.find('?');
  std::string path = request.target.substr(0, query);
  std::string queryText = query == std::string::npos ? "" : request.target.substr(query);

  constexpr std::string_view kWorkers = "/v1/workers/";
  if (path.starts_with(kWorkers)) {
    std::string after = path.substr(kWorkers.size());
    auto slash = after.find('/');
    std::string id = after.substr(0, slash);
    if (!isWorkerId(id)) {
      return sendJsonError(responder, 400, "TypeError",
                           "A Worker id is 1-128 characters of A-Z a-z 0-9 . _ ~ - (got '" + id + "').", "id");
    }
    std::optional<std::string> rest;
    if (slash != std::string::npos) rest = after.substr(slash) + queryText;
    return workers_->handle(*loop, std::move(request), id, std::move(rest), std::move(responder));
  }
  if (path == "/mcp" && mcp_) return mcp_->handle(std::move(request), std::move(responder));
  if (path == "/v1/rpc") {
    if (request.method == "POST" || (request.method == "GET" && webSocketUpgradeOf(request)))
      return capnweb_->handle(std::move(request), std::move(responder));
    return sendJsonError(responder, 405, "MethodNotAllowed",
                         "Use POST (an HTTP batch) or a WebSocket upgrade (GET) for /v1/rpc.", "", {{"allow", "GET, POST"}});
  }
  if (path != "/v1/execute") return sendJsonError(responder, 404, "NotFound", "No such endpoint: " + path);
  if (request.method != "POST") {
    return sendJsonError(responder, 405, "MethodNotAllowed", "Use POST for /v1/execute.", "", {{"allow", "POST"}});
  }
  request.body.readAll([this, loop, responder](std::string body, BodyError error) mutable {
    if (error != BodyError::none) return;  // the server already answered (413, 400) or the client left
    try {
      execute(*loop, parseBody(body), responder);
    } catch (const ApiError& e) {
      sendApiError(responder, e);
    }
  });
}

void ExecuteApi::execute(ApiLoop& loop, const json& body, Responder responder) {
  std::string key, tag;
  if (body.contains("id")) {
    if (!body["id"].is_string() || !isWorkerId(body["id"].get<std::string>()))
      throw ApiError(400, "TypeError", "'id' must be 1-128 characters of A-Z a-z 0-9 . _ ~ -.", "id");
    key = executeKey(body["id"].get<std::string>());
    tag = executeFingerprint(body);
  }
  io::Worker::Options options;
  options.limits = requestLimits(body, options_.limits);
  options.envJson = requestEnv(body);
  if (body.contains("outbound")) {
    const json& outbound = body["outbound"];
    if (!outbound.is_string() || (outbound != "none" && outbound != "network"))
      throw ApiError(400, "TypeError", "'outbound' must be \"none\" or \"network\".", "outbound");
    if (outbound == "network") options.outbound = options_.network;
  }
  std::shared_ptr<io::WorkerInstance> instance;
  if (!key.empty()) {
    instance = loop.cache.find(key);
    if (instance && (instance->tag() != tag || instance->condemned())) instance = nullptr;
  }
  if (!instance) {
    instance = io::WorkerInstance::load(loop.ioc, requestCode(body), std::move(options), tag);
    if (!key.empty()) loop.cache.insert(key, instance);
  }
  auto use = instance->use();
  instance->whenStarted([&loop, key, raw = instance.get(), use, responder](
                            const std::shared_ptr<io::Worker>& worker, const std::optional<io::Failure>& failure) mutable {
    if (failure) {
      if (!key.empty() && loop.cache.peek(key).get() == raw) loop.cache.evict(key);  // a later request tries again
      return sendResult(responder, std::nullopt, failure, {}, {true, 0, 0});
    }
    // The use ends with the answer (even if copies of the callback live on in JS reactions); an
    // uncached Worker goes after this turn, not inside its own callback.
    auto held = std::make_shared<std::shared_ptr<void>>(std::move(use));
    worker->execute([held, &ioc = loop.ioc, responder](io::ExecuteResult r) mutable {
      boost::asio::post(ioc, [gone = std::move(*held)] {});
      std::optional<json> result;
      if (r.resultJson) result = json::parse(*r.resultJson, nullptr, false);
      sendResult(responder, result, r.error, r.logs, r.stats);
    });
  });
}

}  // namespace wisp::server
