#include "io/outbound/entrypoint-outbound.h"

#include <strings.h>

#include <algorithm>

#include "io/worker.h"
#include "js/error.h"

namespace wisp::io {
namespace {

constexpr const char* kAborted = "The fetch was aborted.";
constexpr const char* kTargetGone = "The Worker that handles this Worker's outbound requests is no longer loaded.";
constexpr size_t kReadBytes = 64 * 1024;

// The target's failure, as the error the calling fetch() rejects with (as a service binding
// passes an exception on: same class, same message).
Worker::IoResult rejectWith(const Failure& f) {
  return [f](js::Lock&) -> js::Value {
    if (f.kind == Failure::Kind::Exception) {
      if (f.name == "TypeError") throw js::TypeError(f.message);
      if (f.name == "RangeError") throw js::RangeError(f.message);
    }
    throw js::Error(f.message);
  };
}

Worker::IoResult rejectWith(std::string message) {
  return [message = std::move(message)](js::Lock&) -> js::Value { throw js::TypeError(message); };
}

}  // namespace

EntrypointOutbound::EntrypointOutbound(Worker& worker, OutboundEntrypoint target)
    : worker_(worker), target_(std::move(target)), self_(std::make_shared<EntrypointOutbound*>(this)) {}

EntrypointOutbound::~EntrypointOutbound() {
  self_.reset();
  for (auto& [id, open] : requests_)
    if (open.response && open.response->bodyStream) open.response->bodyStream->cancel(kAborted);
}

js::Value EntrypointOutbound::start(js::Lock& js, HttpRequest request, std::string redirect, bool hasBody) {
  RequestContext* ctx = worker_.currentContext();
  if (!ctx) throw js::Error("fetch() can only run while the Worker handles an event.");
  if (redirect != "follow" && redirect != "manual" && redirect != "error")
    throw js::TypeError("Invalid redirect mode: " + redirect);
  ctx->newSubrequest();
  if (!hasBody) request.body.clear();
  // As if it came over HTTP (and as workerd delivers it): a body of known size has its length.
  bool hasLength = std::any_of(request.headers.begin(), request.headers.end(),
                               [](const auto& h) { return strcasecmp(h.first.c_str(), "content-length") == 0; });
  if (hasBody && !request.bodyStream && !hasLength)
    request.headers.emplace_back("content-length", std::to_string(request.body.size()));

  uint64_t id = nextId_++;
  requests_[id] = Open{ctx, nullptr, false};
  std::string url = request.url;
  std::weak_ptr<EntrypointOutbound*> weak = self_;
  auto promise = worker_.awaitIo(js, [weak, id, target = target_, request = std::move(request),
                                      url](Worker::IoDone done) mutable {
    auto host = target.worker.lock();
    if (!host) return done(rejectWith(kTargetGone));
    Worker::FetchOptions options;
    options.props = target.props;
    options.streamResponse = true;  // its body is read as the caller reads it
    // A new invocation of the host's entrypoint, entered from the top of the loop.
    host->fetch(std::move(request), target.entrypoint, [weak, id, done, url](FetchResult r) {
      if (auto self = weak.lock()) return (*self)->answered(id, url, std::move(r), done);
      if (r.response && r.response->bodyStream) r.response->bodyStream->cancel(kAborted);
      done(rejectWith(kAborted));
    }, std::move(options));
  });
  return js.array({js.number(static_cast<double>(id)), promise});
}

void EntrypointOutbound::answered(uint64_t id, const std::string& url, FetchResult result, const Worker::IoDone& done) {
  auto it = requests_.find(id);
  if (it == requests_.end()) {
    // Aborted meanwhile, or the calling invocation is over: nobody reads this answer.
    if (result.response && result.response->bodyStream) result.response->bodyStream->cancel(kAborted);
    return done(rejectWith(kAborted));
  }
  if (result.error) {
    requests_.erase(it);
    return done(rejectWith(*result.error));
  }
  auto response = std::make_shared<HttpResponse>(std::move(*result.response));
  it->second.response = response;
  done([response, url](js::Lock& js) {
    std::vector<js::Value> headers;
    for (auto& [k, v] : response->headers) headers.push_back(js.array({js.string(k), js.string(v)}));
    return js.array({js.number(response->status), js.string(response->statusText), js.array(headers),
                     js.array({js.string(url)})});
  });
}

js::Value EntrypointOutbound::read(js::Lock& js, uint64_t id) {
  auto it = requests_.find(id);
  if (it == requests_.end() || !it->second.response) throw js::TypeError("This response body is no longer available.");
  auto response = it->second.response;
  if (!response->bodyStream) {
    // A whole body: all of it on the first read, then the end.
    bool first = !it->second.bodyRead && !response->body.empty();
    it->second.bodyRead = true;
    if (!first) requests_.erase(it);
    return worker_.awaitIo(js, [response, first](Worker::IoDone done) {
      if (!first) return done([](js::Lock& js) { return js.undefined(); });
      done([response](js::Lock& js) { return js.bytes(response->body); });
    });
  }
  std::weak_ptr<EntrypointOutbound*> weak = self_;
  return worker_.awaitIo(js, [weak, id, response](Worker::IoDone done) {
    response->bodyStream->read(kReadBytes, [weak, id, done](BodyPiece piece) {
      bool over = piece.error || piece.end;
      if (over)
        if (auto self = weak.lock()) (*self)->requests_.erase(id);
      if (piece.error) return done(rejectWith(*piece.error));
      if (piece.end) return done([](js::Lock& js) { return js.undefined(); });
      auto bytes = std::make_shared<std::string>(std::move(piece.bytes));
      done([bytes](js::Lock& js) { return js.bytes(*bytes); });
    });
  });
}

void EntrypointOutbound::abort(uint64_t id) {
  auto it = requests_.find(id);
  if (it == requests_.end()) return;
  auto response = std::move(it->second.response);
  requests_.erase(it);
  if (response && response->bodyStream) response->bodyStream->cancel(kAborted);
}

void EntrypointOutbound::invocationFinished(const RequestContext* ctx) {
  for (auto it = requests_.begin(); it != requests_.end();) {
    if (it->second.owner != ctx) {
      ++it;
      continue;
    }
    auto response = std::move(it->second.response);
    it = requests_.erase(it);
    if (response && response->bodyStream) response->bodyStream->cancel(kAborted);
  }
}

}  // namespace wisp::io
