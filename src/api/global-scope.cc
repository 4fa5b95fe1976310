#include "api/global-scope.h"

#include <openssl/rand.h>

#include <cstring>
#include <unicode/uidna.h>

#include "api/body-source.h"
#include "api/codemode.h"
#include "api/mcp-upstreams.h"
#include "api/compression.h"
#include "api/crypto/webcrypto.h"
#include "api/encoding.h"
#include "api/fetch.h"
#include "api/host.h"
#include "api/lazy-areas.h"
#include "api/rpc.h"
#include "api/websocket-ops.h"
#include "api/worker-loader.h"
#include "js/class.h"
#include "js/engine.h"
#include "js/isolate.h"
#include "js/serialize.h"
#include "js/script.h"

extern "C" {
extern const char wisp_runtime_js[];
extern const char wisp_runtime_js_end[];
}

namespace wisp::api {

const char* logLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::Debug: return "debug";
    case LogLevel::Log: return "log";
    case LogLevel::Info: return "info";
    case LogLevel::Warn: return "warn";
    case LogLevel::Error: return "error";
  }
  return "log";
}

Host& Host::current(js::Lock& js) {
  auto* host = static_cast<Host*>(js.data().embedder);
  if (!host) throw js::Error("This operation is not available while the runtime starts up.");
  return *host;
}

// The narrow native operations the bundled JavaScript (src/api/js/) is built on. Stateless:
// the one instance lives in the snapshot and is reachable only from the bundle's closure.
class Ops : public js::Object {
 public:
  static void log(js::Lock& js, std::string level, std::string message) {
    LogLevel l = LogLevel::Log;
    if (level == "debug") l = LogLevel::Debug;
    else if (level == "info") l = LogLevel::Info;
    else if (level == "warn") l = LogLevel::Warn;
    else if (level == "error") l = LogLevel::Error;
    Host::current(js).log(l, std::move(message));
  }
  static double now() { return js::Clock::nowMs(); }
  static double timeOrigin(js::Lock& js) { return Host::current(js).timeOrigin(); }
  static void timerStart(js::Lock& js, uint32_t id, double delayMs) {
    Host::current(js).startTimer(id, delayMs);
  }
  static void timerCancel(js::Lock& js, uint32_t id) { Host::current(js).cancelTimer(id); }
  static void waitUntil(js::Lock& js, js::Value promise) { Host::current(js).waitUntil(js, promise); }

  // https://w3c.github.io/webcrypto/#Crypto-method-getRandomValues (type checks done in JS)
  static void fillRandom(js::Lock& js, js::Value view) {
    auto bytes = js.viewBytes(view);
    if (bytes.empty()) return;
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
      throw js::Error("The system random number generator failed.");
  }

  // Own property keys without array indices: inspecting a 10-million-element array must not
  // list every index only to skip it.
  static js::Value ownNonIndexKeys(js::Lock& js, js::Value object) { return js.ownNonIndexKeys(object); }

  // transfer: an Array; hooks: see src/api/js/structured-clone.js.
  static js::Value structuredClone(js::Lock& js, js::Value value, js::Value transfer, js::Value hooks) {
    return js::structuredClone(js, value, transfer, hooks);
  }
  static js::Value newPlatformObject(js::Lock& js, js::Value prototype) {
    return js::newPlatformObject(js, prototype);
  }

  // https://url.spec.whatwg.org/#concept-domain-to-ascii, UTS #46 through ICU.
  // Returns null where the spec says "failure".
  static std::optional<std::string> domainToASCII(std::string domain, bool beStrict) {
    return idna(domain, beStrict, true);
  }
  static std::optional<std::string> domainToUnicode(std::string domain) {
    return idna(domain, false, false);
  }

  static js::Value loadArea(js::Lock& js, std::string name) { return api::loadArea(js, name); }

  static void define(js::ClassBuilder<Ops>& c) {
    c.method<&Ops::loadArea>("loadArea");
    c.method<&Ops::log>("log");
    c.method<&Ops::now>("now");
    c.method<&Ops::timeOrigin>("timeOrigin");
    c.method<&Ops::timerStart>("timerStart");
    c.method<&Ops::timerCancel>("timerCancel");
    c.method<&Ops::waitUntil>("waitUntil");
    c.method<&Ops::fillRandom>("fillRandom");
    c.method<&Ops::structuredClone>("structuredClone");
    c.method<&Ops::newPlatformObject>("newPlatformObject");
    c.method<&Ops::ownNonIndexKeys>("ownNonIndexKeys");
    c.method<&Ops::domainToASCII>("domainToASCII");
    c.method<&Ops::domainToUnicode>("domainToUnicode");
    c.method<&WorkerLoaderOps::loaderLoad>("loaderLoad");
    c.method<&WorkerLoaderOps::loaderAlive>("loaderAlive");
    c.method<&WorkerLoaderOps::loaderFetch>("loaderFetch");
    c.method<&WorkerLoaderOps::loaderHold>("loaderHold");
    c.method<&WorkerLoaderOps::loaderCall>("loaderCall");
    c.method<&RpcOps::rpcShellClass>("rpcShellClass");
    c.method<&RpcOps::rpcShell>("rpcShell");
    c.method<&RpcOps::rpcSerialize>("rpcSerialize");
    c.method<&RpcOps::rpcDeserialize>("rpcDeserialize");
    c.method<&RpcOps::rpcExport>("rpcExport");
    c.method<&RpcOps::rpcEntrypointRef>("rpcEntrypointRef");
    c.method<&RpcOps::rpcCall>("rpcCall");
    c.method<&RpcOps::rpcFetch>("rpcFetch");
    c.method<&RpcOps::rpcPipeline>("rpcPipeline");
    c.method<&RpcOps::rpcPipelineCall>("rpcPipelineCall");
    c.method<&RpcOps::rpcPipelineBreak>("rpcPipelineBreak");
    c.method<&FetchOps::socketConnect>("socketConnect");
    c.method<&crypto::webCryptoOps>("webcrypto");
    c.method<&ZlibStream::open>("zlibOpen");
    c.method<&FetchOps::fetchStart>("fetchStart");
    c.method<&FetchOps::fetchRead>("fetchRead");
    c.method<&FetchOps::fetchAbort>("fetchAbort");
    c.method<&BodyOps::bodyRead>("bodyRead");
    c.method<&BodyOps::bodyCancel>("bodyCancel");
    c.method<&WebSocketOps::webSocketSend>("webSocketSend");
    c.method<&WebSocketOps::webSocketClose>("webSocketClose");
    c.method<&CodemodeOps::codemodeNormalize>("codemodeNormalize");
    c.method<&McpUpstreamOps::mcpListTools>("mcpListTools");
    c.method<&McpUpstreamOps::mcpCallTool>("mcpCallTool");
  }

 private:
  // The two UTS #46 processors the URL standard needs, opened once per process: opening one
  // loads ICU data, and URL parsing calls this for every host. A UIDNA is immutable after
  // opening, so threads share it.
  static const UIDNA* processor(bool beStrict) {
    static const auto open = [](bool strict) -> UIDNA* {
      UErrorCode status = U_ZERO_ERROR;
      uint32_t opts = UIDNA_CHECK_BIDI | UIDNA_CHECK_CONTEXTJ | UIDNA_NONTRANSITIONAL_TO_ASCII |
                      UIDNA_NONTRANSITIONAL_TO_UNICODE;
      if (strict) opts |= UIDNA_USE_STD3_RULES;
      UIDNA* p = uidna_openUTS46(opts, &status);
      return U_FAILURE(status) ? nullptr : p;
    };
    static UIDNA* const lenient = open(false);
    static UIDNA* const strict = open(true);
    return beStrict ? strict : lenient;
  }

  static std::optional<std::string> idna(const std::string& domain, bool beStrict, bool toAscii) {
    UErrorCode status = U_ZERO_ERROR;
    const UIDNA* idna = processor(beStrict);
    if (!idna) return std::nullopt;
    std::string out(domain.size() * 4 + 64, '\0');
    UIDNAInfo info = UIDNA_INFO_INITIALIZER;
    int32_t len = toAscii
        ? uidna_nameToASCII_UTF8(idna, domain.data(), static_cast<int32_t>(domain.size()), out.data(),
                                 static_cast<int32_t>(out.size()), &info, &status)
        : uidna_nameToUnicodeUTF8(idna, domain.data(), static_cast<int32_t>(domain.size()), out.data(),
                                  static_cast<int32_t>(out.size()), &info, &status);
    if (U_FAILURE(status)) return std::nullopt;
    // The URL standard ignores a few UTS #46 errors (hyphen positions, empty labels) unless
    // beStrict; it runs with CheckHyphens=false and VerifyDnsLength=beStrict.
    uint32_t errors = info.errors;
    errors &= ~(UIDNA_ERROR_LEADING_HYPHEN | UIDNA_ERROR_TRAILING_HYPHEN | UIDNA_ERROR_HYPHEN_3_4);
    if (!beStrict) {
      errors &= ~(UIDNA_ERROR_EMPTY_LABEL | UIDNA_ERROR_LABEL_TOO_LONG | UIDNA_ERROR_DOMAIN_NAME_TOO_LONG);
    }
    if (toAscii && errors != 0) return std::nullopt;
    out.resize(static_cast<size_t>(len));
    return out;
  }
};

void registerClasses(js::Registry& registry) {
  if (!registry.classes().empty()) return;
  registry.add<Ops>("WispOps");
  registry.add<TextEncoder>("TextEncoder");
  registry.add<TextDecoder>("TextDecoder");
  registry.add<crypto::KeyMaterial>("CryptoKeyMaterial");
  registry.add<crypto::WebCryptoOps>("WebCryptoOps");
  registry.add<ZlibStream>("ZlibStream");
  registry.add<js::PlatformObject>("PlatformObject");
  registry.add<WorkerLease>("WorkerLease");
  registry.add<RpcImport>("RpcImport");
  registry.add<RpcPayload>("RpcPayload");
  registry.add<RpcPipelineHandle>("RpcPipelineHandle");
}

void installGlobalScope(js::Lock& js) {
  js::exposeClass(js, js::classInfo<TextEncoder>());
  js::exposeClass(js, js::classInfo<TextDecoder>());
  std::string_view bundle(wisp_runtime_js, static_cast<size_t>(wisp_runtime_js_end - wisp_runtime_js));
  js::runRuntimeBundle(js, "wisp:runtime.js", bundle, js::makeStatelessInstance(js, js::classInfo<Ops>()));
}

}  // namespace wisp::api
