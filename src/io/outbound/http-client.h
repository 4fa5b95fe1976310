// io::HttpClient: outbound HTTP(S) for one event loop, on libcurl's multi interface. The multi
// handle is driven by the loop itself (CURLMOPT_SOCKETFUNCTION / TIMERFUNCTION on Asio), so
// transfers never block the thread and every Worker on the loop shares one connection cache.
// One client per io_context (an Asio service): HttpClient::of(ioc).
//
// A transfer follows redirects itself, hop by hop, so that each hop's host is checked against
// the egress policy and the fetch standard's method and header rules apply; every address it
// connects is checked again in CURLOPT_OPENSOCKETFUNCTION (DNS rebinding, redirects inward).
// The response body is streamed: the head is reported as soon as it has arrived, body bytes
// are buffered up to a high-water mark and the transfer pauses until they are read. A request
// body given as a stream is sent as it is read from its source (chunked unless its length is
// known): curl's read callback pauses the upload until the source hands over the next piece.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <curl/curl.h>

#include "io/http.h"
#include "io/outbound/outbound-settings.h"

namespace wisp::io {

class HttpTransfer;

enum class RedirectMode { Follow, Manual, Error };

struct OutboundRequest {
  std::string method = "GET";
  std::string url;
  HeaderList headers;
  std::optional<std::string> body;  // nullopt: no body (or a stream)
  RedirectMode redirect = RedirectMode::Follow;
  std::shared_ptr<BodySource> bodyStream = nullptr;  // a body sent as it is read; cannot be resent
};

struct ResponseHead {
  int status = 0;
  std::string statusText;
  HeaderList headers;
  std::vector<std::string> urlList;  // the request URL, then each redirect's target
};

// How a transfer ended badly: the message JS sees (as a TypeError).
struct TransferError {
  std::string message;
};

class HttpClient final : public boost::asio::io_context::service {
 public:
  static boost::asio::io_context::id id;
  static HttpClient& of(boost::asio::io_context& ioc);

  explicit HttpClient(boost::asio::io_context& ioc);
  ~HttpClient() override;

  using HeadCallback = std::function<void(std::optional<ResponseHead>, std::optional<TransferError>)>;
  // Starts `request`. `onHead` runs once, posted to the loop: with the final response's head,
  // or with why it failed (refused by the policy, network error, timeout, redirect refused).
  // Throws std::invalid_argument (with the JS-facing message) for a URL that cannot be fetched.
  std::shared_ptr<HttpTransfer> start(OutboundRequest request, std::shared_ptr<const OutboundSettings> settings,
                                      HeadCallback onHead);

  // Transfers in flight (for tests).
  size_t active() const { return transfers_.size(); }

 private:
  friend class HttpTransfer;
  struct Socket;

  void add(HttpTransfer* t);
  void remove(HttpTransfer* t);
  // After curl ran: reports finished transfers.
  void collectDone();
  void onSocketEvent(int fd, int action);
  // Watches (or stops watching) a socket for curl; false if it cannot be watched.
  bool watch(int fd, int what);
  void setTimer(long timeoutMs);
  void shutdown() override;

  static int socketCallback(CURL* easy, curl_socket_t fd, int what, void* client, void* socketData);
  static int timerCallback(CURLM* multi, long timeoutMs, void* client);

  boost::asio::io_context& ioc_;
  CURLM* multi_ = nullptr;
  boost::asio::steady_timer timer_;
  std::map<int, std::shared_ptr<Socket>> sockets_;
  std::map<HttpTransfer*, std::weak_ptr<HttpTransfer>> transfers_;
  bool shutDown_ = false;
};

// One request and its response. Lives on its loop; the callbacks it makes are posted.
class HttpTransfer : public std::enable_shared_from_this<HttpTransfer> {
 public:
  // A body chunk; empty with `end` at the end of the body.
  struct Chunk {
    std::string bytes;
    bool end = false;
  };
  using ReadCallback = std::function<void(std::optional<Chunk>, std::optional<TransferError>)>;

  HttpTransfer(HttpClient& client, OutboundRequest request, std::shared_ptr<const OutboundSettings> settings,
               HttpClient::HeadCallback onHead);
  ~HttpTransfer();
  HttpTransfer(const HttpTransfer&) = delete;
  HttpTransfer& operator=(const HttpTransfer&) = delete;

  // Asks for the body bytes that arrived since the last read (waits for some). One read at a
  // time; `done` is posted.
  void read(ReadCallback done);
  // Stops the transfer; a pending head or read callback gets `why`.
  void cancel(const std::string& why);

 private:
  friend class HttpClient;
  enum class State { Head, Body, Done, Failed };

  void startHop();
  void configure();
  void finished(CURLcode code);
  void fail(std::string message);
  void deliverHead();
  void deliverRead();
  void redirectTo(const std::string& location);
  std::string curlError(CURLcode code) const;

  // Unhooks from a client that is shutting down (its loop is going away).
  void detach();
  size_t onHeader(const char* data, size_t size);
  size_t onBody(const char* data, size_t size);
  size_t onUpload(char* buffer, size_t size);
  void askForUpload();
  // Resumes the directions that are not waiting (curl_easy_pause takes the state of both).
  void unpause();
  curl_socket_t onOpenSocket(const curl_sockaddr& address);

  static size_t headerCallback(char* data, size_t size, size_t n, void* self);
  static size_t writeCallback(char* data, size_t size, size_t n, void* self);
  static size_t readCallback(char* buffer, size_t size, size_t n, void* self);
  static curl_socket_t openSocketCallback(void* self, curlsocktype purpose, curl_sockaddr* address);

  HttpClient* client_;  // null once the client shut down
  OutboundRequest request_;
  std::shared_ptr<const OutboundSettings> settings_;
  HttpClient::HeadCallback onHead_;
  ReadCallback onRead_;

  CURL* easy_ = nullptr;
  curl_slist* headerList_ = nullptr;
  char errorBuffer_[CURL_ERROR_SIZE] = {};
  bool inMulti_ = false;
  State state_ = State::Head;
  std::string host_;           // the current hop's host, as in its URL
  std::string currentUrl_;
  std::optional<std::string> refusal_;  // why the policy refused a connection of this hop
  std::chrono::steady_clock::time_point deadline_;

  ResponseHead head_;          // being read, then delivered
  std::optional<std::string> redirectLocation_;  // this hop's response is a redirect to follow
  std::string buffer_;         // body bytes not yet read
  uint64_t received_ = 0;
  bool paused_ = false;
  std::optional<TransferError> error_;

  // The streamed request body: bytes read from request_.bodyStream not yet taken by curl.
  std::string upload_;
  bool uploadAsked_ = false;    // a read of the source is pending
  bool uploadPaused_ = false;   // curl waits for bytes
  bool uploadEnded_ = false;
  std::optional<std::string> uploadError_;
};

}  // namespace wisp::io
