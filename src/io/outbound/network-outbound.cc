#include "io/outbound/network-outbound.h"

#include <stdexcept>

#include "io/worker.h"
#include "js/error.h"

namespace wisp::io {
namespace {

Worker::IoResult rejectWith(std::string message) {
  return [message = std::move(message)](js::Lock&) -> js::Value { throw js::TypeError(message); };
}

std::optional<RedirectMode> redirectMode(const std::string& mode) {
  if (mode == "follow") return RedirectMode::Follow;
  if (mode == "manual") return RedirectMode::Manual;
  if (mode == "error") return RedirectMode::Error;
  return std::nullopt;
}

js::Value headList(js::Lock& js, const ResponseHead& head) {
  std::vector<js::Value> headers, urls;
  for (auto& [k, v] : head.headers) headers.push_back(js.array({js.string(k), js.string(v)}));
  for (auto& u : head.urlList) urls.push_back(js.string(u));
  return js.array({js.number(head.status), js.string(head.statusText), js.array(headers), js.array(urls)});
}

constexpr const char* kAborted = "The fetch was aborted.";

}  // namespace

NetworkOutbound::NetworkOutbound(Worker& worker, boost::asio::io_context& ioc,
                                 std::shared_ptr<const OutboundSettings> settings)
    : worker_(worker), ioc_(ioc), settings_(std::move(settings)), self_(std::make_shared<NetworkOutbound*>(this)) {}

NetworkOutbound::~NetworkOutbound() {
  self_.reset();
  for (auto& [id, open] : requests_)
    if (open.transfer) open.transfer->cancel(kAborted);
}

js::Value NetworkOutbound::start(js::Lock& js, HttpRequest request, std::string redirect, bool hasBody) {
  RequestContext* ctx = worker_.currentContext();
  if (!ctx) throw js::Error("fetch() can only run while the Worker handles an event.");
  auto mode = redirectMode(redirect);
  if (!mode) throw js::TypeError("Invalid redirect mode: " + redirect);
  ctx->newSubrequest();

  OutboundRequest out{std::move(request.method), std::move(request.url), std::move(request.headers), std::nullopt, *mode};
  if (request.bodyStream) out.bodyStream = std::move(request.bodyStream);  // sent as the Worker writes it
  else if (hasBody) out.body = std::move(request.body);
  uint64_t id = nextId_++;
  requests_[id] = Open{nullptr, ctx};
  std::weak_ptr<NetworkOutbound*> weak = self_;
  auto promise = worker_.awaitIo(js, [weak, id, out = std::move(out)](Worker::IoDone done) mutable {
    auto self = weak.lock();
    if (!self) return done(rejectWith(kAborted));
    auto& me = **self;
    auto it = me.requests_.find(id);
    if (it == me.requests_.end()) return done(rejectWith(kAborted));  // aborted before it started
    try {
      it->second.transfer = HttpClient::of(me.ioc_).start(
          std::move(out), me.settings_,
          [weak, id, done](std::optional<ResponseHead> head, std::optional<TransferError> error) {
            if (error) {
              if (auto self = weak.lock()) (*self)->requests_.erase(id);
              return done(rejectWith(error->message));
            }
            done([head = std::move(*head)](js::Lock& js) { return headList(js, head); });
          });
    } catch (const std::invalid_argument& e) {
      me.requests_.erase(it);
      done(rejectWith(e.what()));
    }
  });
  return js.array({js.number(static_cast<double>(id)), promise});
}

js::Value NetworkOutbound::read(js::Lock& js, uint64_t id) {
  auto it = requests_.find(id);
  if (it == requests_.end() || !it->second.transfer) throw js::TypeError("This response body is no longer available.");
  std::weak_ptr<NetworkOutbound*> weak = self_;
  return worker_.awaitIo(js, [weak, id](Worker::IoDone done) {
    auto self = weak.lock();
    if (!self) return done(rejectWith(kAborted));
    auto it = (*self)->requests_.find(id);
    if (it == (*self)->requests_.end() || !it->second.transfer) return done(rejectWith(kAborted));
    it->second.transfer->read([weak, id, done](std::optional<HttpTransfer::Chunk> chunk,
                                               std::optional<TransferError> error) {
      bool end = !error && (!chunk || chunk->end);
      if (error || end)
        if (auto self = weak.lock()) (*self)->requests_.erase(id);
      if (error) return done(rejectWith(error->message));
      if (end) return done([](js::Lock& js) { return js.undefined(); });
      auto bytes = std::make_shared<std::string>(std::move(chunk->bytes));
      done([bytes](js::Lock& js) { return js.bytes(*bytes); });
    });
  });
}

void NetworkOutbound::abort(uint64_t id) {
  auto it = requests_.find(id);
  if (it == requests_.end()) return;
  auto transfer = std::move(it->second.transfer);
  requests_.erase(it);
  if (transfer) transfer->cancel(kAborted);
}

void NetworkOutbound::invocationFinished(const RequestContext* ctx) {
  for (auto it = requests_.begin(); it != requests_.end();) {
    if (it->second.owner != ctx) {
      ++it;
      continue;
    }
    auto transfer = std::move(it->second.transfer);
    it = requests_.erase(it);
    if (transfer) transfer->cancel(kAborted);
  }
}

}  // namespace wisp::io
