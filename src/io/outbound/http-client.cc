#include "io/outbound/http-client.h"

#include <sys/socket.h>

#include <algorithm>
#include <mutex>
#include <stdexcept>

#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <fmt/format.h>

namespace wisp::io {
namespace {

// Body bytes held for a reader before the transfer pauses.
constexpr size_t kHighWater = 1u << 20;
// How much of a streamed request body is asked for at a time.
constexpr size_t kUploadPiece = 64 * 1024;

// Request headers curl writes itself, or that belong to one connection only.
bool isManagedHeader(std::string_view lowerName) {
  static constexpr std::string_view names[] = {"host", "content-length", "transfer-encoding", "connection", "keep-alive",
                                               "upgrade", "te", "trailer", "proxy-connection", "expect"};
  return std::find(std::begin(names), std::end(names), lowerName) != std::end(names);
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

struct UrlParts {
  std::string scheme, host, port;
};

std::optional<UrlParts> urlParts(const std::string& url) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> u(curl_url(), curl_url_cleanup);
  if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) return std::nullopt;
  auto part = [&](CURLUPart which, unsigned flags) -> std::string {
    char* value = nullptr;
    if (curl_url_get(u.get(), which, &value, flags) != CURLUE_OK || !value) return "";
    std::string out(value);
    curl_free(value);
    return out;
  };
  UrlParts out{lower(part(CURLUPART_SCHEME, 0)), part(CURLUPART_HOST, 0), part(CURLUPART_PORT, CURLU_DEFAULT_PORT)};
  if (out.host.empty()) return std::nullopt;
  return out;
}

bool isHttp(const UrlParts& p) { return p.scheme == "http" || p.scheme == "https"; }

// A Location header's value resolved against the URL it came from; nullopt if it does not parse.
std::optional<std::string> resolveLocation(const std::string& base, const std::string& location) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> u(curl_url(), curl_url_cleanup);
  if (!u || curl_url_set(u.get(), CURLUPART_URL, base.c_str(), 0) != CURLUE_OK) return std::nullopt;
  if (curl_url_set(u.get(), CURLUPART_URL, location.c_str(), CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) return std::nullopt;
  char* out = nullptr;
  if (curl_url_get(u.get(), CURLUPART_URL, &out, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK || !out) return std::nullopt;
  std::string resolved(out);
  curl_free(out);
  return resolved;
}

void initCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

// ---- HttpClient ----

boost::asio::io_context::id HttpClient::id;

// A socket curl asked us to watch. The descriptor never owns the fd: curl opens and closes it.
struct HttpClient::Socket {
  Socket(boost::asio::io_context& ioc, int fd) : descriptor(ioc), fd(fd) {}
  boost::asio::posix::stream_descriptor descriptor;
  int fd;
  int what = 0;  // CURL_POLL_IN / OUT / INOUT
  bool reading = false;
  bool writing = false;
  bool removed = false;
};

HttpClient& HttpClient::of(boost::asio::io_context& ioc) { return boost::asio::use_service<HttpClient>(ioc); }

// The timer is made first so the loop's reactor exists before this service: services shut down
// newest first, so the descriptors here are released while the reactor still knows them.
HttpClient::HttpClient(boost::asio::io_context& ioc)
    : boost::asio::io_context::service(ioc), ioc_(ioc), timer_(ioc) {
  initCurlOnce();
  multi_ = curl_multi_init();
  if (!multi_) throw std::runtime_error("libcurl could not create a multi handle");
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &HttpClient::socketCallback);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &HttpClient::timerCallback);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, 64L);
}

HttpClient::~HttpClient() { shutdown(); }

void HttpClient::shutdown() {
  if (shutDown_) return;
  shutDown_ = true;
  for (auto& [raw, weak] : transfers_)
    if (auto t = weak.lock()) t->detach();
  transfers_.clear();
  timer_.cancel();
  for (auto& [fd, s] : sockets_) {
    s->removed = true;
    boost::system::error_code ignored;
    s->descriptor.cancel(ignored);
    s->descriptor.release();
  }
  sockets_.clear();
  if (multi_) curl_multi_cleanup(multi_);
  multi_ = nullptr;
}

std::shared_ptr<HttpTransfer> HttpClient::start(OutboundRequest request, std::shared_ptr<const OutboundSettings> settings,
                                                HeadCallback onHead) {
  auto parts = urlParts(request.url);
  if (!parts || !isHttp(*parts)) throw std::invalid_argument("Fetch API cannot load: " + request.url);
  auto transfer = std::make_shared<HttpTransfer>(*this, std::move(request), std::move(settings), std::move(onHead));
  transfers_[transfer.get()] = transfer;
  transfer->startHop();
  return transfer;
}

void HttpClient::add(HttpTransfer* t) {
  if (curl_multi_add_handle(multi_, t->easy_) == CURLM_OK) t->inMulti_ = true;
  else t->fail("fetch() could not start a transfer");
}

void HttpClient::remove(HttpTransfer* t) {
  if (t->inMulti_ && multi_) curl_multi_remove_handle(multi_, t->easy_);
  t->inMulti_ = false;
}

int HttpClient::socketCallback(CURL*, curl_socket_t fd, int what, void* client, void*) {
  return static_cast<HttpClient*>(client)->watch(fd, what) ? 0 : -1;  // -1 fails the transfer
}

int HttpClient::timerCallback(CURLM*, long timeoutMs, void* client) {
  static_cast<HttpClient*>(client)->setTimer(timeoutMs);
  return 0;
}

void HttpClient::setTimer(long timeoutMs) {
  if (shutDown_) return;
  if (timeoutMs < 0) {
    timer_.cancel();
    return;
  }
  // Never run curl from inside its own callback: even a 0 ms timeout goes through the loop.
  timer_.expires_after(std::chrono::milliseconds(timeoutMs));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || shutDown_) return;
    int running = 0;
    curl_multi_socket_action(multi_, CURL_SOCKET_TIMEOUT, 0, &running);
    collectDone();
  });
}

bool HttpClient::watch(int fd, int what) {
  if (shutDown_) return true;
  auto it = sockets_.find(fd);
  if (what == CURL_POLL_REMOVE) {
    if (it == sockets_.end()) return true;
    auto s = it->second;
    sockets_.erase(it);
    s->removed = true;
    boost::system::error_code ignored;
    s->descriptor.cancel(ignored);
    s->descriptor.release();  // curl closes the fd
    return true;
  }
  std::shared_ptr<Socket> s;
  if (it == sockets_.end()) {
    s = std::make_shared<Socket>(ioc_, fd);
    boost::system::error_code ec;
    s->descriptor.assign(fd, ec);  // never throw through curl
    if (ec) return false;
    sockets_[fd] = s;
  } else {
    s = it->second;
  }
  s->what = what;
  // Asio's waits re-arm epoll for the descriptor, so readiness that is already there is seen.
  std::weak_ptr<Socket> weak = s;
  if ((what & CURL_POLL_IN) && !s->reading) {
    s->reading = true;
    s->descriptor.async_wait(boost::asio::posix::stream_descriptor::wait_read, [this, weak](const boost::system::error_code& ec) {
      auto s = weak.lock();
      if (!s) return;
      s->reading = false;
      if (s->removed || ec == boost::asio::error::operation_aborted) return;
      if (s->what & CURL_POLL_IN) onSocketEvent(s->fd, ec ? CURL_CSELECT_ERR : CURL_CSELECT_IN);
    });
  }
  if ((what & CURL_POLL_OUT) && !s->writing) {
    s->writing = true;
    s->descriptor.async_wait(boost::asio::posix::stream_descriptor::wait_write, [this, weak](const boost::system::error_code& ec) {
      auto s = weak.lock();
      if (!s) return;
      s->writing = false;
      if (s->removed || ec == boost::asio::error::operation_aborted) return;
      if (s->what & CURL_POLL_OUT) onSocketEvent(s->fd, ec ? CURL_CSELECT_ERR : CURL_CSELECT_OUT);
    });
  }
  return true;
}

void HttpClient::onSocketEvent(int fd, int action) {
  if (shutDown_) return;
  int running = 0;
  curl_multi_socket_action(multi_, fd, action, &running);
  collectDone();
  // Still watched: wait for the next readiness.
  auto it = sockets_.find(fd);
  if (it != sockets_.end()) watch(fd, it->second->what);
}

void HttpClient::collectDone() {
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    HttpTransfer* raw = nullptr;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &raw);
    CURLcode code = msg->data.result;
    auto it = transfers_.find(raw);
    if (it == transfers_.end()) continue;
    if (auto t = it->second.lock()) t->finished(code);
  }
}

// ---- HttpTransfer ----

HttpTransfer::HttpTransfer(HttpClient& client, OutboundRequest request, std::shared_ptr<const OutboundSettings> settings,
                           HttpClient::HeadCallback onHead)
    : client_(&client), request_(std::move(request)), settings_(std::move(settings)), onHead_(std::move(onHead)) {
  easy_ = curl_easy_init();
  currentUrl_ = request_.url;
  head_.urlList.push_back(request_.url);
  deadline_ = std::chrono::steady_clock::now() +
              std::chrono::microseconds(static_cast<int64_t>(settings_->timeoutMs * 1000));
}

HttpTransfer::~HttpTransfer() {
  if (request_.bodyStream) request_.bodyStream->cancel("The fetch() is over.");
  if (client_) {
    client_->remove(this);
    client_->transfers_.erase(this);
  }
  if (easy_) curl_easy_cleanup(easy_);
  if (headerList_) curl_slist_free_all(headerList_);
}

void HttpTransfer::detach() {
  if (client_) client_->remove(this);
  client_ = nullptr;
  state_ = State::Failed;
  onHead_ = nullptr;
  onRead_ = nullptr;
}

void HttpTransfer::startHop() {
  if (!client_ || !easy_) return fail("fetch() could not start a transfer");
  auto parts = urlParts(currentUrl_);
  if (!parts) return fail(fmt::format("fetch() cannot load {}", currentUrl_));
  host_ = parts->host;
  if (auto why = settings_->policy.checkHost(host_))
    return fail(fmt::format("fetch() to {} was refused by the egress policy: {}", currentUrl_, *why));
  configure();
  client_->add(this);
}

void HttpTransfer::configure() {
  curl_easy_reset(easy_);
  if (headerList_) curl_slist_free_all(headerList_);
  headerList_ = nullptr;
  errorBuffer_[0] = '\0';
  refusal_.reset();

  curl_easy_setopt(easy_, CURLOPT_URL, currentUrl_.c_str());
  curl_easy_setopt(easy_, CURLOPT_PRIVATE, this);
  curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy_, CURLOPT_ERRORBUFFER, errorBuffer_);
  curl_easy_setopt(easy_, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy_, CURLOPT_PROXY, "");  // no proxy from the environment
  curl_easy_setopt(easy_, CURLOPT_FOLLOWLOCATION, 0L);  // redirects are followed here, hop by hop
  curl_easy_setopt(easy_, CURLOPT_HTTP_CONTENT_DECODING, 0L);  // the body as sent
  curl_easy_setopt(easy_, CURLOPT_HEADERFUNCTION, &HttpTransfer::headerCallback);
  curl_easy_setopt(easy_, CURLOPT_HEADERDATA, this);
  curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &HttpTransfer::writeCallback);
  curl_easy_setopt(easy_, CURLOPT_WRITEDATA, this);
  curl_easy_setopt(easy_, CURLOPT_OPENSOCKETFUNCTION, &HttpTransfer::openSocketCallback);
  curl_easy_setopt(easy_, CURLOPT_OPENSOCKETDATA, this);
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - std::chrono::steady_clock::now()).count();
  curl_easy_setopt(easy_, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<int64_t>(1, left)));

  const std::string& method = request_.method;
  if (method == "HEAD") {
    curl_easy_setopt(easy_, CURLOPT_NOBODY, 1L);
  } else if (method == "GET" && !request_.body && !request_.bodyStream) {
    curl_easy_setopt(easy_, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(easy_, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  if (request_.bodyStream) {
    // The read callback supplies the body; without a known length curl sends it chunked.
    curl_easy_setopt(easy_, CURLOPT_POST, 1L);
    curl_easy_setopt(easy_, CURLOPT_READFUNCTION, &HttpTransfer::readCallback);
    curl_easy_setopt(easy_, CURLOPT_READDATA, this);
    if (auto length = request_.bodyStream->length())
      curl_easy_setopt(easy_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(*length));
  } else if (request_.body) {
    curl_easy_setopt(easy_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request_.body->size()));
    curl_easy_setopt(easy_, CURLOPT_POSTFIELDS, request_.body->data());
  } else if (method == "POST" || method == "PUT") {
    // https://fetch.spec.whatwg.org/#http-network-or-cache-fetch: "Content-Length: 0" then.
    curl_easy_setopt(easy_, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t{0});
    curl_easy_setopt(easy_, CURLOPT_POSTFIELDS, "");
  }

  bool hasContentType = false;
  for (auto& [name, value] : request_.headers) {
    std::string key = lower(name);
    if (isManagedHeader(key)) continue;
    if (key == "content-type") hasContentType = true;
    // "Name;" is curl's way to send a header with an empty value.
    std::string line = value.empty() ? name + ";" : name + ": " + value;
    headerList_ = curl_slist_append(headerList_, line.c_str());
  }
  // curl would add these on its own: no 100-continue round trip, and no form content type the
  // Worker did not ask for.
  headerList_ = curl_slist_append(headerList_, "Expect:");
  if (!hasContentType) headerList_ = curl_slist_append(headerList_, "Content-Type:");
  curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, headerList_);
}

curl_socket_t HttpTransfer::openSocketCallback(void* self, curlsocktype purpose, curl_sockaddr* address) {
  if (purpose != CURLSOCKTYPE_IPCXN || !address) return CURL_SOCKET_BAD;
  return static_cast<HttpTransfer*>(self)->onOpenSocket(*address);
}

curl_socket_t HttpTransfer::onOpenSocket(const curl_sockaddr& address) {
  auto ip = IpAddress::fromSockaddr(&address.addr);
  if (!ip) {
    refusal_ = "the address is neither IPv4 nor IPv6";
    return CURL_SOCKET_BAD;
  }
  if (auto why = settings_->policy.checkAddress(host_, *ip)) {
    refusal_ = *why;
    return CURL_SOCKET_BAD;
  }
  return ::socket(address.family, address.socktype | SOCK_CLOEXEC, address.protocol);
}

size_t HttpTransfer::headerCallback(char* data, size_t size, size_t n, void* self) {
  return static_cast<HttpTransfer*>(self)->onHeader(data, size * n);
}

size_t HttpTransfer::writeCallback(char* data, size_t size, size_t n, void* self) {
  return static_cast<HttpTransfer*>(self)->onBody(data, size * n);
}

size_t HttpTransfer::readCallback(char* buffer, size_t size, size_t n, void* self) {
  return static_cast<HttpTransfer*>(self)->onUpload(buffer, size * n);
}

size_t HttpTransfer::onUpload(char* buffer, size_t size) {
  if (!upload_.empty()) {
    size_t n = std::min(size, upload_.size());
    std::copy_n(upload_.data(), n, buffer);
    upload_.erase(0, n);
    if (upload_.empty() && !uploadEnded_ && !uploadError_) askForUpload();  // the next piece, ahead
    return n;
  }
  if (uploadError_) return CURL_READFUNC_ABORT;
  if (uploadEnded_) return 0;
  askForUpload();
  uploadPaused_ = true;  // resumed when the source answers
  return CURL_READFUNC_PAUSE;
}

void HttpTransfer::askForUpload() {
  if (uploadAsked_ || !request_.bodyStream) return;
  uploadAsked_ = true;
  std::weak_ptr<HttpTransfer> weak = weak_from_this();
  request_.bodyStream->read(kUploadPiece, [weak](BodyPiece piece) {
    auto self = weak.lock();
    if (!self) return;
    self->uploadAsked_ = false;
    if (piece.error) self->uploadError_ = std::move(piece.error);
    else if (piece.end) self->uploadEnded_ = true;
    else self->upload_ += piece.bytes;
    if (piece.last) self->uploadEnded_ = true;
    if (self->uploadPaused_ && self->client_ && self->state_ != State::Failed) {
      self->uploadPaused_ = false;
      self->unpause();
    }
  });
}

void HttpTransfer::unpause() {
  curl_easy_pause(easy_, (paused_ ? CURLPAUSE_RECV : 0) | (uploadPaused_ ? CURLPAUSE_SEND : 0));
}

size_t HttpTransfer::onHeader(const char* data, size_t size) {
  if (state_ != State::Head) return size;  // trailers of a chunked body
  std::string_view line(data, size);
  if (line.starts_with("HTTP/")) {
    // A new response head (after a 1xx, or the first one).
    head_.headers.clear();
    head_.statusText.clear();
    std::string_view rest = trim(line);
    size_t sp = rest.find(' ');
    rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
    sp = rest.find(' ');
    head_.statusText = sp == std::string_view::npos ? "" : std::string(trim(rest.substr(sp + 1)));
    return size;
  }
  if (trim(line).empty()) {
    long status = 0;
    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
    if (status < 200) return size;  // an interim response; the final head follows
    head_.status = static_cast<int>(status);
    bool redirect = status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    std::optional<std::string> location;
    if (redirect && request_.redirect != RedirectMode::Manual) {
      auto header = std::find_if(head_.headers.begin(), head_.headers.end(),
                                 [](const auto& h) { return lower(h.first) == "location"; });
      if (header != head_.headers.end()) {
        location = resolveLocation(currentUrl_, header->second);
        if (!location) {
          fail(fmt::format("fetch() to {} was redirected to \"{}\", which is not a valid URL.", currentUrl_,
                           header->second));
          return 0;
        }
      }
    }
    if (location) {
      if (request_.redirect == RedirectMode::Error) {
        fail(fmt::format("fetch() to {} was redirected to {}, and the request's redirect mode is \"error\".",
                         currentUrl_, *location));
        return 0;
      }
      redirectLocation_ = std::move(location);  // followed once this hop's body is drained
      return size;
    }
    curl_off_t length = -1;
    curl_easy_getinfo(easy_, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
    if (length > 0 && static_cast<uint64_t>(length) > settings_->maxResponseBytes) {
      fail(fmt::format("fetch() response from {} is {} bytes, over the limit of {} bytes (egress maxResponseBytes).",
                       currentUrl_, length, settings_->maxResponseBytes));
      return 0;
    }
    state_ = State::Body;
    deliverHead();
    return size;
  }
  if ((line.front() == ' ' || line.front() == '\t') && !head_.headers.empty()) {
    // An obsolete folded continuation line.
    head_.headers.back().second += " " + std::string(trim(line));
    return size;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return size;
  head_.headers.emplace_back(std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
  return size;
}

size_t HttpTransfer::onBody(const char* data, size_t size) {
  if (state_ == State::Head && redirectLocation_) {
    // A redirect's own body is dropped; a huge one is cut short (the hop is over either way).
    received_ += size;
    return received_ > settings_->maxResponseBytes ? 0 : size;
  }
  if (state_ != State::Body) return 0;
  if (received_ + size > settings_->maxResponseBytes) {
    fail(fmt::format("fetch() response from {} is over the limit of {} bytes (egress maxResponseBytes).", currentUrl_,
                     settings_->maxResponseBytes));
    return 0;
  }
  if (!onRead_ && buffer_.size() >= kHighWater) {
    paused_ = true;  // curl keeps these bytes and hands them over again on resume
    return CURL_WRITEFUNC_PAUSE;
  }
  buffer_.append(data, size);
  received_ += size;
  if (onRead_) deliverRead();
  return size;
}

void HttpTransfer::finished(CURLcode code) {
  if (client_) client_->remove(this);
  if (state_ == State::Failed) return;
  if (redirectLocation_) {
    std::string location = std::move(*redirectLocation_);
    redirectLocation_.reset();
    redirectTo(location);
    return;
  }
  if (code != CURLE_OK && uploadError_)
    return fail(fmt::format("fetch() to {} failed: its request body stream failed: {}", currentUrl_, *uploadError_));
  if (code != CURLE_OK) return fail(curlError(code));
  if (state_ == State::Head) return fail(fmt::format("fetch() to {} got no response.", currentUrl_));
  state_ = State::Done;
  deliverRead();
}

void HttpTransfer::redirectTo(const std::string& location) {
  if (head_.urlList.size() > settings_->maxRedirects) {
    return fail(fmt::format("fetch() to {} was redirected more than {} times.", request_.url, settings_->maxRedirects));
  }
  auto from = urlParts(currentUrl_);
  auto to = urlParts(location);
  if (!to || !isHttp(*to)) {
    return fail(fmt::format("fetch() to {} was redirected to {}, which is not an HTTP(S) URL.", currentUrl_, location));
  }
  // https://fetch.spec.whatwg.org/#http-redirect-fetch: a POST after 301/302, and anything but
  // GET/HEAD after 303, becomes a GET without a body or the headers that described it.
  int status = head_.status;
  if (((status == 301 || status == 302) && request_.method == "POST") ||
      (status == 303 && request_.method != "GET" && request_.method != "HEAD")) {
    request_.method = "GET";
    request_.body.reset();
    if (request_.bodyStream) request_.bodyStream->cancel("The request was redirected as a GET without a body.");
    request_.bodyStream = nullptr;
    std::erase_if(request_.headers, [](const auto& h) {
      auto key = lower(h.first);
      return key == "content-type" || key == "content-encoding" || key == "content-language" ||
             key == "content-location";
    });
  }
  // https://fetch.spec.whatwg.org/#http-redirect-fetch: a streamed body cannot be sent again.
  if (request_.bodyStream) {
    return fail(fmt::format("fetch() to {} was redirected to {}, and a request body given as a stream cannot be sent again.",
                            currentUrl_, location));
  }
  // Credentials do not follow a request to another origin.
  if (!from || from->scheme != to->scheme || lower(from->host) != lower(to->host) || from->port != to->port) {
    std::erase_if(request_.headers, [](const auto& h) { return lower(h.first) == "authorization"; });
  }
  head_.urlList.push_back(location);
  head_.headers.clear();
  head_.statusText.clear();
  head_.status = 0;
  received_ = 0;
  currentUrl_ = location;
  startHop();
}

std::string HttpTransfer::curlError(CURLcode code) const {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
      if (refusal_) return fmt::format("fetch() to {} was refused by the egress policy: {}", currentUrl_, *refusal_);
      break;
    case CURLE_COULDNT_RESOLVE_HOST:
      return fmt::format("fetch() to {} failed: could not resolve the host \"{}\".", currentUrl_, host_);
    case CURLE_OPERATION_TIMEDOUT:
      return fmt::format("fetch() to {} timed out after {} ms (egress timeoutMs).", currentUrl_, settings_->timeoutMs);
    default:
      break;
  }
  std::string detail = errorBuffer_[0] ? errorBuffer_ : curl_easy_strerror(code);
  return fmt::format("fetch() to {} failed: {}", currentUrl_, detail);
}

void HttpTransfer::fail(std::string message) {
  if (state_ == State::Failed) return;
  state_ = State::Failed;
  error_ = TransferError{std::move(message)};
  buffer_.clear();
  if (request_.bodyStream) request_.bodyStream->cancel(error_->message);
  if (!client_) return;
  if (onHead_) {
    boost::asio::post(client_->ioc_, [cb = std::move(onHead_), e = *error_] { cb(std::nullopt, e); });
    onHead_ = nullptr;
  }
  if (onRead_) deliverRead();
}

void HttpTransfer::deliverHead() {
  if (!onHead_ || !client_) return;
  boost::asio::post(client_->ioc_, [cb = std::move(onHead_), head = head_] { cb(head, std::nullopt); });
  onHead_ = nullptr;
}

void HttpTransfer::deliverRead() {
  if (!onRead_ || !client_) return;
  std::optional<Chunk> chunk;
  std::optional<TransferError> error;
  if (!buffer_.empty()) {
    chunk = Chunk{std::move(buffer_), false};
    buffer_.clear();
  } else if (state_ == State::Done) {
    chunk = Chunk{"", true};
  } else if (state_ == State::Failed) {
    error = error_;
  } else {
    return;  // the next bytes will deliver it
  }
  boost::asio::post(client_->ioc_, [cb = std::move(onRead_), chunk = std::move(chunk), error = std::move(error)] {
    cb(chunk, error);
  });
  onRead_ = nullptr;
}

void HttpTransfer::read(ReadCallback done) {
  onRead_ = std::move(done);
  deliverRead();  // what is buffered, or the reader waits for the next bytes
  if (paused_ && state_ == State::Body && client_) {
    paused_ = false;
    // May hand over the held bytes at once (onBody runs inside this call).
    unpause();
  }
}

void HttpTransfer::cancel(const std::string& why) {
  if (client_) client_->remove(this);
  if (state_ == State::Done && !onRead_) return;
  fail(why);
}

}  // namespace wisp::io
