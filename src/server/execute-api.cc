#include "server/execute-api.h"

#include <algorithm>

#include "io/worker.h"
#include "js/error.h"

namespace wisp::server {
namespace {

using nlohmann::json;

void sendJson(Responder& responder, int status, const json& body) {
  responder.send(status, {{"content-type", "application/json"}}, body.dump() + "\n");
}

json failureJson(const io::Failure& f) {
  json out = {{"name", f.name.empty() ? (f.kind == io::Failure::Kind::Limit ? "LimitError" : "Error") : f.name},
              {"message", f.message}};
  if (!f.stack.empty()) out["stack"] = f.stack;
  if (!f.location.empty()) out["location"] = f.location;
  return out;
}

// Reads `limits` from the request; each may only lower the server's.
io::Limits requestLimits(const json& body, const io::Limits& server) {
  io::Limits l = server;
  if (!body.contains("limits")) return l;
  const json& r = body["limits"];
  if (!r.is_object()) throw js::TypeError("'limits' must be an object.");
  auto lower = [&](const char* key, auto& field, double scale) {
    if (!r.contains(key)) return;
    if (!r[key].is_number() || r[key].get<double>() <= 0)
      throw js::TypeError(std::string("'limits.") + key + "' must be a positive number.");
    using T = std::remove_reference_t<decltype(field)>;
    field = std::min(field, static_cast<T>(r[key].get<double>() * scale));
  };
  lower("cpuMs", l.cpuMs, 1);
  lower("wallMs", l.wallMs, 1);
  lower("heapMb", l.heapBytes, 1024.0 * 1024.0);
  lower("subRequests", l.subrequests, 1);
  return l;
}

// `code` (a snippet) or `modules` + `mainModule` (a module set whose default export is a
// function of env), in the shape of WorkerCode.modules.
io::WorkerCode requestCode(const json& body) {
  bool hasCode = body.contains("code"), hasModules = body.contains("modules");
  if (hasCode == hasModules) throw js::TypeError("Send either 'code' (a snippet) or 'modules' with 'mainModule'.");
  if (hasCode) {
    if (!body["code"].is_string()) throw js::TypeError("'code' must be a string.");
    return io::snippetWorkerCode(body["code"].get<std::string>());
  }
  if (!body["modules"].is_object()) throw js::TypeError("'modules' must be an object of module names to modules.");
  if (!body.contains("mainModule") || !body["mainModule"].is_string())
    throw js::TypeError("'mainModule' must name one of the modules.");
  std::vector<io::ModuleInput> inputs;
  for (auto& [name, value] : body["modules"].items()) {
    io::ModuleInput in{name, std::nullopt, {}};
    if (value.is_string()) {
      in.plain = value.get<std::string>();
    } else if (value.is_object()) {
      for (auto& [key, content] : value.items()) {
        if (key == "json") in.fields.push_back({key, content.dump()});
        else if (content.is_string()) in.fields.push_back({key, content.get<std::string>()});
        else throw js::TypeError("Module '" + name + "': '" + key + "' must be a string.");
      }
    } else {
      throw js::TypeError("Module '" + name + "' must be a string or an object.");
    }
    inputs.push_back(std::move(in));
  }
  return io::buildWorkerCode(body["mainModule"].get<std::string>(), std::move(inputs));
}

}  // namespace

void sendJsonError(Responder& responder, int status, const std::string& name, const std::string& message) {
  sendJson(responder, status, {{"error", {{"name", name}, {"message", message}}}});
}

void ExecuteApi::handle(Request request, Responder responder) {
  if (!options_.apiToken.empty()) {
    std::string auth;
    for (auto& [k, v] : request.headers)
      if (k.size() == 13 && strncasecmp(k.c_str(), "authorization", 13) == 0) auth = v;
    if (auth != "Bearer " + options_.apiToken) {
      return sendJsonError(responder, 401, "Unauthorized", "A valid 'Authorization: Bearer <token>' header is required.");
    }
  }
  auto path = request.target.substr(0, request.target.find('?'));
  if (path != "/v1/execute") return sendJsonError(responder, 404, "NotFound", "No such endpoint: " + path);
  if (request.method != "POST") {
    return sendJsonError(responder, 405, "MethodNotAllowed", "Use POST for /v1/execute.");
  }
  auto* loop = request.loop;
  request.body.readAll([this, loop, responder](std::string body, BodyError error) mutable {
    if (error != BodyError::none) return;  // the server already answered (413, 400) or the client left
    json parsed = json::parse(body, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object())
      return sendJsonError(responder, 400, "SyntaxError", "The request body must be a JSON object.");
    execute(*loop, parsed, std::move(responder));
  });
}

void ExecuteApi::execute(boost::asio::io_context& loop, const json& body, Responder responder) {
  std::shared_ptr<io::Worker> worker;
  try {
    io::Worker::Options options;
    options.limits = requestLimits(body, options_.limits);
    if (body.contains("env")) {
      if (!body["env"].is_object()) throw js::TypeError("'env' must be a JSON object.");
      options.envJson = body["env"].dump();
      if (options.envJson.size() > (1u << 20)) {
        throw js::Error("Dynamic Worker env size (" + std::to_string(options.envJson.size()) +
                        " bytes) exceeds the maximum allowed size of 1048576 bytes.");
      }
    }
    worker = io::Worker::create(loop, requestCode(body), options);
  } catch (const js::JsError& e) {
    return sendJsonError(responder, 400, e.kind() == js::ErrorKind::SyntaxError ? "SyntaxError" : "TypeError", e.message());
  }
  // The Worker lives until its answer is sent: the callbacks hold it.
  auto answer = [responder, worker](std::optional<json> result, std::optional<io::Failure> error,
                                    const std::vector<io::LogEntry>& logs, io::InvocationStats stats) mutable {
    json out;
    out["result"] = result ? *result : json(nullptr);
    out["error"] = error ? failureJson(*error) : json(nullptr);
    json logList = json::array();
    for (auto& l : logs) logList.push_back({{"level", api::logLevelName(l.level)}, {"time", l.timeMs}, {"message", l.message}});
    out["logs"] = std::move(logList);
    out["stats"] = {{"coldStart", stats.coldStart}, {"cpuMs", stats.cpuMs}, {"wallMs", stats.wallMs}};
    sendJson(responder, 200, out);
  };
  worker->start([worker, answer](std::optional<io::Failure> failure) mutable {
    if (failure) return answer(std::nullopt, failure, {}, {true, 0, 0});
    worker->execute([worker, answer](io::ExecuteResult r) mutable {
      std::optional<json> result;
      if (r.resultJson) result = json::parse(*r.resultJson, nullptr, false);
      answer(result, r.error, r.logs, r.stats);
    });
  });
}

}  // namespace wisp::server
