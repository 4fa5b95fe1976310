#include "api/rpc.h"

#include "api/host.h"
#include "js/error.h"
#include "js/rpc-serialize.h"
#include "js/shell.h"

namespace wisp::api {
namespace {

RpcHost& rpcHost(js::Lock& js) {
  auto* host = Host::current(js).rpc();
  if (!host) throw js::Error("RPC is not available in this Worker.");
  return *host;
}

js::JsError disposedError() { return js::Error("RPC stub used after being disposed."); }

}  // namespace

RpcImport::RpcImport(std::shared_ptr<RpcRef> ref, std::optional<uint64_t> exportId)
    : slot_(std::make_shared<std::shared_ptr<RpcRef>>(std::move(ref))), exportId_(exportId) {}

std::shared_ptr<RpcRef> RpcImport::take() {
  auto out = std::move(*slot_);
  slot_->reset();
  return out;
}

js::Ref<RpcImport> RpcImport::dup(js::Lock& js) {
  if (!*slot_) throw disposedError();
  auto copy = js::make<RpcImport>(*slot_);
  rpcHost(js).adopt(copy->slot());
  return copy;
}

const std::shared_ptr<const RpcMessage>& RpcPayload::message() const {
  if (!message_) throw js::Error("internal: this RPC message was already sent or read");
  return message_;
}

std::shared_ptr<const RpcMessage> payloadMessage(js::Lock& js, js::Value payload) {
  return js::unwrapRef<RpcPayload>(js, payload.local(), "The RPC payload")->message();
}

std::shared_ptr<const RpcMessage> takePayload(js::Lock& js, js::Value payload) {
  return js::unwrapRef<RpcPayload>(js, payload.local(), "The RPC payload")->take();
}

std::shared_ptr<RpcRef> takeExport(js::Lock& js, js::Value import) {
  return js::unwrapRef<RpcImport>(js, import.local(), "The RPC export")->take();
}

js::Value newPayload(js::Lock& js, std::shared_ptr<const RpcMessage> message) {
  auto payload = js::make<RpcPayload>(std::move(message));
  return js::Value(payload->jsObject(js));
}

js::Value RpcOps::rpcShellClass(js::Lock& js, bool callable) { return js::shellClass(js, callable); }

js::Value RpcOps::rpcShell(js::Lock& js, js::Value shellClass, js::Value prototype, js::Value dispatcher) {
  return js::newShell(js, shellClass, prototype, dispatcher);
}

js::Ref<RpcPayload> RpcOps::rpcSerialize(js::Lock& js, js::Value value, js::Value hooks, js::Value capabilities,
                                         bool limited) {
  auto message = std::make_shared<RpcMessage>();
  message->bytes = js::serializeForRpc(js, value, hooks);
  if (limited && message->bytes.size() > kMaxRpcMessageSize) {
    throw js::Error("Serialized RPC arguments or return values are limited to 32MiB, but the size of this value was: " +
                    std::to_string(message->bytes.size()) + " bytes.");
  }
  for (uint32_t i = 0; i < js.arrayLength(capabilities); i++) {
    auto import = js::unwrapRef<RpcImport>(js, js.arrayItem(capabilities, i).local(), "An RPC capability");
    // A fresh export's reference goes to the message alone; a stub's is shared with it.
    auto ref = import->exportId() >= 0 ? import->take() : import->ref();
    if (!ref) throw disposedError();
    message->refs.push_back(std::move(ref));
  }
  return js::make<RpcPayload>(std::move(message));
}

js::Value RpcOps::rpcDeserialize(js::Lock& js, js::Ref<RpcPayload> payload, js::Value hooks, js::Value stub,
                                 bool longLived) {
  const auto& message = *payload->message();
  std::vector<js::Value> capabilities;
  capabilities.reserve(message.refs.size());
  for (const auto& ref : message.refs) {
    auto import = js::make<RpcImport>(ref);
    if (!longLived) rpcHost(js).adopt(import->slot());
    capabilities.push_back(js.call(stub, {js::Value(import->jsObject(js))}));
  }
  return js::deserializeForRpc(js, message.bytes, js.array(capabilities), hooks);
}

js::Ref<RpcImport> RpcOps::rpcExport(js::Lock& js) {
  auto [id, ref] = rpcHost(js).exportObject();
  return js::make<RpcImport>(std::move(ref), id);
}

js::Ref<RpcImport> RpcOps::rpcEntrypointRef(js::Lock& js, std::string name, js::Value props) {
  std::shared_ptr<const RpcMessage> message;
  if (!props.isUndefined()) message = payloadMessage(js, props);
  return js::make<RpcImport>(rpcHost(js).entrypointRef(std::move(name), std::move(message)));
}

js::Value RpcOps::rpcCall(js::Lock& js, js::Ref<RpcImport> target, std::vector<std::string> path, bool get,
                          js::Value args, js::Ref<RpcPipelineHandle> pipeline) {
  auto ref = target->ref();
  if (!ref) throw disposedError();
  RpcCall call{std::move(path), get, nullptr};
  if (!args.isUndefined()) call.args = takePayload(js, args);
  return rpcHost(js).call(js, std::move(ref), std::move(call), pipeline->pipeline());
}

js::Ref<RpcPipelineHandle> RpcOps::rpcPipeline(js::Lock& js) {
  return js::make<RpcPipelineHandle>(rpcHost(js).newPipeline());
}

js::Value RpcOps::rpcPipelineCall(js::Lock& js, js::Ref<RpcPipelineHandle> on, std::vector<std::string> path,
                                  bool get, js::Value args, js::Ref<RpcPipelineHandle> pipeline) {
  RpcCall call{std::move(path), get, nullptr};
  if (!args.isUndefined()) call.args = takePayload(js, args);
  auto promise = rpcHost(js).pipelineCall(js, on->pipeline(), std::move(call), pipeline->pipeline());
  return promise ? *promise : js.undefined();
}

void RpcOps::rpcPipelineBreak(js::Lock& js, js::Ref<RpcPipelineHandle> pipeline, js::Ref<RpcPayload> thrown) {
  rpcHost(js).breakPipeline(pipeline->pipeline(), thrown->take());
}

js::Value RpcOps::rpcFetch(js::Lock& js, js::Ref<RpcImport> target, std::string method, std::string url,
                           js::Value headers, js::Value body) {
  auto ref = target->ref();
  if (!ref) throw disposedError();
  if (!ref->isEntrypoint()) throw js::TypeError("This RPC stub has no fetch() method.");
  io::HttpRequest request;
  request.method = std::move(method);
  request.url = std::move(url);
  for (uint32_t i = 0; i < js.arrayLength(headers); i++) {
    auto pair = js.arrayItem(headers, i);
    request.headers.emplace_back(js.toString(js.arrayItem(pair, 0)), js.toString(js.arrayItem(pair, 1)));
  }
  if (!body.isNull() && !body.isUndefined()) request.body = js.toBytes(body);
  return rpcHost(js).fetch(js, std::move(ref), std::move(request));
}

}  // namespace wisp::api
