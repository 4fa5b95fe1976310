#include "io/upstreams-bridge.h"

#include "io/worker.h"
#include "js/error.h"

namespace wisp::io {

using nlohmann::json;

js::Value UpstreamsBridge::listTools(js::Lock& js) {
  return worker_.awaitIo(js, [&ioc = ioc_, upstreams = upstreams_](Worker::IoDone done) {
    upstreams->listTools(ioc, [done](std::vector<codemode::UpstreamTools> lists) {
      json out = json::array();
      for (auto& list : lists) {
        json entry{{"name", list.name}, {"tools", list.tools}};
        if (list.error) entry["error"] = *list.error;
        out.push_back(std::move(entry));
      }
      done([text = out.dump(-1, ' ', false, json::error_handler_t::replace)](js::Lock& js) { return js.parseJson(text); });
    });
  });
}

js::Value UpstreamsBridge::callTool(js::Lock& js, std::string server, std::string tool, std::string argumentsJson) {
  json arguments = json::parse(argumentsJson, nullptr, false);
  if (!arguments.is_object()) throw js::TypeError("The arguments of a tool call must be a JSON object.");
  return worker_.awaitIo(js, [&ioc = ioc_, upstreams = upstreams_, server = std::move(server), tool = std::move(tool),
                              arguments = std::move(arguments)](Worker::IoDone done) mutable {
    upstreams->callTool(ioc, server, tool, std::move(arguments), [done](codemode::ToolCallOutcome outcome) {
      if (!outcome.result) {
        std::string why = outcome.error.value_or("The upstream MCP server gave no answer.");
        return done([why](js::Lock&) -> js::Value { throw js::Error(why); });
      }
      done([text = outcome.result->dump(-1, ' ', false, json::error_handler_t::replace)](js::Lock& js) { return js.parseJson(text); });
    });
  });
}

}  // namespace wisp::io
