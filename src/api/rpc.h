// Workers RPC between isolates, native half: values in flight (RpcMessage), references to
// callable objects in some Worker (RpcRef), and the ops the JS half (src/api/js/rpc/) is built
// on. The runtime (io/rpc.h) routes calls; see docs/rpc.md for the whole picture.
// https://developers.cloudflare.com/workers/runtime-apis/rpc/
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "io/http.h"
#include "js/class.h"
#include "js/lock.h"
#include "js/value.h"

namespace wisp::api {

// "Serialized RPC arguments or return values are limited to 32MiB, ..." (workerd's limit).
constexpr size_t kMaxRpcMessageSize = 32u << 20;

// Something callable over RPC that lives in some Worker: an object it exports (a function, an
// RpcTarget, a proxy) or one of its entrypoints with props. Made and routed by the runtime;
// api code only passes it along. An export is released when its last reference goes.
class RpcRef {
 public:
  virtual ~RpcRef() = default;
  // An entrypoint (a service stub: fetch() and RPC methods) rather than an exported object.
  virtual bool isEntrypoint() const = 0;
};

// A value in flight: V8 serialization bytes, and the references they name by index.
struct RpcMessage {
  std::string bytes;
  std::vector<std::shared_ptr<RpcRef>> refs;
};

// One call: read the property at `path` of the target, or call it with `args` (an Array).
// An empty path calls the target itself (a function stub).
struct RpcCall {
  std::vector<std::string> path;
  bool get = false;
  std::shared_ptr<const RpcMessage> args;  // null: no arguments
};

// The answer-to-be of one call. Calls made on it before it settles go with it and run on the
// callee's raw result (promise pipelining: `await stub.a().b()` is one round trip); after, the
// caller applies them to the value it received. Opaque outside the runtime (io/rpc.h).
class RpcPipeline {
 public:
  virtual ~RpcPipeline() = default;
};

// The runtime's half of RPC for one Worker (io::RpcSession implements it).
class RpcHost {
 public:
  virtual ~RpcHost() = default;
  // A new export of this Worker; the JS half keeps the object under the returned id until the
  // reference (and every copy of it) is gone, then forgets it (internals.rpcRelease).
  virtual std::pair<uint64_t, std::shared_ptr<RpcRef>> exportObject() = 0;
  // Entrypoint `name` of this Worker, called with `props` (null: none) as a new invocation.
  virtual std::shared_ptr<RpcRef> entrypointRef(std::string name, std::shared_ptr<const RpcMessage> props) = 0;
  // A pipeline for a call about to be made.
  virtual std::shared_ptr<RpcPipeline> newPipeline() = 0;
  // Starts `call` on `target`, answering through `pipeline`: a promise of [ok, RpcPayload]
  // (ok false: what the callee threw). Counts as a subrequest of the current invocation.
  virtual js::Value call(js::Lock& js, std::shared_ptr<RpcRef> target, RpcCall call,
                         std::shared_ptr<RpcPipeline> pipeline) = 0;
  // `call` on what `on`'s call answers, through `pipeline`: a promise as call()'s, or nullopt
  // once `on` has settled.
  virtual std::optional<js::Value> pipelineCall(js::Lock& js, std::shared_ptr<RpcPipeline> on, RpcCall call,
                                                std::shared_ptr<RpcPipeline> pipeline) = 0;
  // `pipeline`'s call could not be made: the calls made on it get `thrown` (a payload).
  virtual void breakPipeline(std::shared_ptr<RpcPipeline> pipeline, std::shared_ptr<const RpcMessage> thrown) = 0;
  // fetch() on an entrypoint reference: a new invocation of its fetch handler; a promise of
  // [status, statusText, headers, body]. Counts as a subrequest.
  virtual js::Value fetch(js::Lock& js, std::shared_ptr<RpcRef> target, io::HttpRequest request) = 0;
  // Hands the current invocation a reference it received: the invocation disposes it when it
  // ends (`slot` is reset then). Without an invocation it lives as long as its holder.
  virtual void adopt(std::weak_ptr<std::shared_ptr<RpcRef>> slot) = 0;
};

// A reference held by JS (a stub's handle): disposable, duplicable.
class RpcImport : public js::Object {
 public:
  // `exportId`: the reference is a fresh export's (RpcHost::exportObject), for one message.
  explicit RpcImport(std::shared_ptr<RpcRef> ref, std::optional<uint64_t> exportId = std::nullopt);

  const std::shared_ptr<RpcRef>& ref() const { return *slot_; }
  // For a fresh export's reference (RpcHost::exportObject): gives it up to a message.
  std::shared_ptr<RpcRef> take();
  // What RpcHost::adopt holds to dispose this handle when the invocation ends.
  std::weak_ptr<std::shared_ptr<RpcRef>> slot() const { return slot_; }

  js::Ref<RpcImport> dup(js::Lock& js);
  void dispose() { slot_->reset(); }
  bool disposed() const { return !*slot_; }
  bool isEntrypoint() const { return *slot_ && (*slot_)->isEntrypoint(); }
  double exportId() const { return exportId_ ? static_cast<double>(*exportId_) : -1; }

  static void define(js::ClassBuilder<RpcImport>& c) {
    c.method<&RpcImport::dup>("dup");
    c.method<&RpcImport::dispose>("dispose");
    c.getter<&RpcImport::disposed>("disposed");
    c.getter<&RpcImport::isEntrypoint>("isEntrypoint");
    c.getter<&RpcImport::exportId>("exportId");
  }

 private:
  std::shared_ptr<std::shared_ptr<RpcRef>> slot_;
  std::optional<uint64_t> exportId_;
};

// A pipeline held by JS (a JsRpcPromise's).
class RpcPipelineHandle : public js::Object {
 public:
  explicit RpcPipelineHandle(std::shared_ptr<RpcPipeline> pipeline) : pipeline_(std::move(pipeline)) {}
  const std::shared_ptr<RpcPipeline>& pipeline() const { return pipeline_; }
  static void define(js::ClassBuilder<RpcPipelineHandle>&) {}

 private:
  std::shared_ptr<RpcPipeline> pipeline_;
};

// A serialized value held by JS (arguments, props, env, a result) until it is sent or read.
// A message read once (arguments, a result) is released as soon as it is read or sent, so the
// references it holds go without waiting for V8 to collect this object.
class RpcPayload : public js::Object {
 public:
  explicit RpcPayload(std::shared_ptr<const RpcMessage> message) : message_(std::move(message)) {}
  // Throws once released.
  const std::shared_ptr<const RpcMessage>& message() const;
  std::shared_ptr<const RpcMessage> take() {
    auto out = message();
    message_.reset();
    return out;
  }
  void release() { message_.reset(); }
  static void define(js::ClassBuilder<RpcPayload>& c) { c.method<&RpcPayload::release>("release"); }

 private:
  std::shared_ptr<const RpcMessage> message_;
};

// For the runtime: the message of an RpcPayload (throws TypeError for anything else), and a
// new RpcPayload for JS.
std::shared_ptr<const RpcMessage> payloadMessage(js::Lock& js, js::Value payload);
// The same, released from the RpcPayload: for a message that is sent, or read, once.
std::shared_ptr<const RpcMessage> takePayload(js::Lock& js, js::Value payload);
// The reference of a fresh export's RpcImport, given up by it (see RpcImport::take).
std::shared_ptr<RpcRef> takeExport(js::Lock& js, js::Value import);
js::Value newPayload(js::Lock& js, std::shared_ptr<const RpcMessage> message);

// The ops behind src/api/js/rpc/ (registered on the native `ops` object, see ops.js).
struct RpcOps {
  // The constructor behind stubs of one kind (js/shell.h), made at run time.
  static js::Value rpcShellClass(js::Lock& js, bool callable);
  // A new stub: a shell of `shellClass` with `prototype` and `dispatcher` (js/shell.h).
  static js::Value rpcShell(js::Lock& js, js::Value shellClass, js::Value prototype, js::Value dispatcher);
  // hooks: see src/js/rpc-serialize.h; capabilities: the Array the hooks fill with RpcImports,
  // one per capability index. `limited`: apply the 32 MiB RPC limit.
  static js::Ref<RpcPayload> rpcSerialize(js::Lock& js, js::Value value, js::Value hooks, js::Value capabilities,
                                          bool limited);
  // stub(import) is called for each reference first (its result stands for the capability);
  // `longLived`: the references are not disposed with the current invocation (a Worker's env).
  static js::Value rpcDeserialize(js::Lock& js, js::Ref<RpcPayload> payload, js::Value hooks, js::Value stub,
                                  bool longLived);
  // A new export of this Worker (RpcImport.exportId names it).
  static js::Ref<RpcImport> rpcExport(js::Lock& js);
  // Entrypoint `name` of this Worker with `props` (an RpcPayload or undefined).
  static js::Ref<RpcImport> rpcEntrypointRef(js::Lock& js, std::string name, js::Value props);
  // -> Promise<[ok, RpcPayload]>; args: an RpcPayload or undefined.
  static js::Value rpcCall(js::Lock& js, js::Ref<RpcImport> target, std::vector<std::string> path, bool get,
                           js::Value args, js::Ref<RpcPipelineHandle> pipeline);
  static js::Ref<RpcPipelineHandle> rpcPipeline(js::Lock& js);
  // A call on what `on`'s call answers -> Promise<[ok, RpcPayload]>, or undefined once it settled.
  static js::Value rpcPipelineCall(js::Lock& js, js::Ref<RpcPipelineHandle> on, std::vector<std::string> path,
                                   bool get, js::Value args, js::Ref<RpcPipelineHandle> pipeline);
  static void rpcPipelineBreak(js::Lock& js, js::Ref<RpcPipelineHandle> pipeline, js::Ref<RpcPayload> thrown);
  // fetch() through an entrypoint reference -> Promise<[status, statusText, headers, body]>;
  // headers: [[name, value], ...]; body: Uint8Array or null.
  static js::Value rpcFetch(js::Lock& js, js::Ref<RpcImport> target, std::string method, std::string url,
                            js::Value headers, js::Value body);
};

}  // namespace wisp::api
