#include "codemode/stdio-upstream.h"

#include <signal.h>
#include <unistd.h>

#include <array>
#include <optional>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>

namespace wisp::codemode {
namespace {

// A line longer than this is not a message we will ever parse: the process is stopped.
constexpr size_t kMaxLineBytes = 64u << 20;
// After the process exits, how long its pipes may stay open (a grandchild holding them) before
// the connection is over anyway; after its stdout ends, how long it may live on before it is killed.
constexpr auto kDrainGrace = std::chrono::seconds(1);
constexpr auto kStdoutClosedGrace = std::chrono::seconds(2);
// Between SIGTERM and SIGKILL when wisp stops it.
constexpr auto kStopGrace = std::chrono::seconds(2);

std::string excerpt(std::string_view text, size_t max = 200) {
  std::string out;
  for (char c : text.substr(0, max)) out += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
  if (text.size() > max) out += "...";
  return out;
}

void writeAll(int fd, std::string_view text) {
  while (!text.empty()) {
    ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    text.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace

struct StdioUpstream::Connection {
  explicit Connection(boost::asio::io_context& ioc) : timer(ioc) {}

  std::unique_ptr<ChildProcess> process;
  Handlers handlers;
  std::array<char, 64 * 1024> stdoutChunk;
  std::array<char, 16 * 1024> stderrChunk;
  std::string stdoutLine;  // bytes of a line not yet ended
  std::string stderrLine;
  std::string lastStderr;  // this run's last non-empty stderr line
  std::deque<std::string> writes;
  bool writing = false;
  std::optional<int> exitStatus;
  bool stdoutEnded = false;
  bool stderrEnded = false;
  bool graceStarted = false;
  std::optional<std::string> fatal;  // why wisp stopped it, if it did
  bool closing = false;              // close() asked: nothing is reported
  bool over = false;
  std::vector<std::function<void()>> closed;  // close()'s callers
  boost::asio::steady_timer timer;
};

StdioUpstream::StdioUpstream(boost::asio::io_context& ioc, std::string name, std::vector<std::string> command,
                             std::vector<std::pair<std::string, std::string>> env)
    : ioc_(ioc), name_(std::move(name)), command_(std::move(command)), env_(std::move(env)) {}

StdioUpstream::~StdioUpstream() {
  // The process (if any) is killed and reaped by ~ChildProcess once the last handler lets go.
  if (current_) current_->over = true;
}

void StdioUpstream::open(Handlers handlers) {
  if (current_ && !current_->over) {
    current_->closing = true;
    current_->process->signal(SIGKILL);
  }
  current_.reset();
  lastGarbage_.clear();
  std::string error;
  auto process = ChildProcess::spawn(ioc_, command_, env_, error);
  if (!process) {
    boost::asio::post(ioc_, [closed = std::move(handlers.closed), why = fmt::format("upstream '{}' could not be started: {}", name_, error)] {
      closed(why);
    });
    return;
  }
  auto c = std::make_shared<Connection>(ioc_);
  c->process = std::move(process);
  c->handlers = std::move(handlers);
  current_ = c;
  c->process->watchExit([this, c](int status) {
    c->exitStatus = status;
    maybeEnd(c);
  });
  readStdout(c);
  readStderr(c);
}

void StdioUpstream::send(const nlohmann::json& message) {
  auto c = current_;
  if (!c || c->over || c->closing) return;  // the session hears of the end through `closed`
  c->writes.push_back(message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  if (!c->writing) writeNext(c);
}

void StdioUpstream::writeNext(std::shared_ptr<Connection> c) {
  if (c->writes.empty() || c->over || c->closing) {
    c->writing = false;
    c->writes.clear();
    return;
  }
  c->writing = true;
  boost::asio::async_write(c->process->stdinPipe(), boost::asio::buffer(c->writes.front()),
                           [this, c](const boost::system::error_code& error, size_t) {
                             if (error) {
                               // EPIPE: it is exiting; its exit is reported with its status.
                               c->writing = false;
                               c->writes.clear();
                               return;
                             }
                             c->writes.pop_front();
                             if (c->closing) c->writes.clear();
                             writeNext(c);
                           });
}

void StdioUpstream::readStdout(std::shared_ptr<Connection> c) {
  c->process->stdoutPipe().async_read_some(
      boost::asio::buffer(c->stdoutChunk), [this, c](const boost::system::error_code& error, size_t n) {
        if (c->over) return;
        if (error) {
          c->stdoutEnded = true;
          return maybeEnd(c);
        }
        std::string_view chunk(c->stdoutChunk.data(), n);
        while (!chunk.empty() && !c->over) {
          size_t newline = chunk.find('\n');
          if (newline == std::string_view::npos) {
            c->stdoutLine.append(chunk);
            break;
          }
          c->stdoutLine.append(chunk.substr(0, newline));
          chunk.remove_prefix(newline + 1);
          std::string line = std::move(c->stdoutLine);
          c->stdoutLine.clear();
          onLine(*c, line);
        }
        if (c->stdoutLine.size() > kMaxLineBytes && !c->fatal) {
          c->fatal = fmt::format("upstream '{}' wrote a line of more than {} MiB on stdout and was stopped", name_,
                                 kMaxLineBytes >> 20);
          c->process->signal(SIGKILL);
          c->stdoutLine.clear();
        }
        if (!c->over) readStdout(c);
      });
}

void StdioUpstream::onLine(Connection& c, std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.find_first_not_of(" \t") == std::string_view::npos) return;
  auto message = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (message.is_object() || (message.is_array() && !message.empty())) {
    if (c.closing) return;
    if (message.is_array()) {
      for (auto& m : message) c.handlers.message(std::move(m));
    } else {
      c.handlers.message(std::move(message));
    }
    return;
  }
  lastGarbage_ = excerpt(line);
  writeAll(2, fmt::format("[{}] skipped a line on stdout that is not JSON-RPC: {}\n", name_, lastGarbage_));
}

void StdioUpstream::readStderr(std::shared_ptr<Connection> c) {
  c->process->stderrPipe().async_read_some(
      boost::asio::buffer(c->stderrChunk), [this, c](const boost::system::error_code& error, size_t n) {
        auto flushLine = [&](std::string line) {
          if (!line.empty() && line.back() == '\r') line.pop_back();
          writeAll(2, fmt::format("[{}] {}\n", name_, line));
          if (line.find_first_not_of(" \t") != std::string::npos) c->lastStderr = excerpt(line, 300);
        };
        if (error) {
          if (!c->stderrLine.empty()) flushLine(std::move(c->stderrLine));
          c->stderrLine.clear();
          c->stderrEnded = true;
          return maybeEnd(c);
        }
        std::string_view chunk(c->stderrChunk.data(), n);
        while (!chunk.empty()) {
          size_t newline = chunk.find('\n');
          if (newline == std::string_view::npos) {
            c->stderrLine.append(chunk);
            break;
          }
          c->stderrLine.append(chunk.substr(0, newline));
          chunk.remove_prefix(newline + 1);
          flushLine(std::move(c->stderrLine));
          c->stderrLine.clear();
        }
        if (c->stderrLine.size() > 64 * 1024) {  // a very long line: pass it on in pieces
          flushLine(std::move(c->stderrLine));
          c->stderrLine.clear();
        }
        if (!c->over) readStderr(c);
      });
}

void StdioUpstream::maybeEnd(std::shared_ptr<Connection> c) {
  if (c->over) return;
  if (c->exitStatus && (c->closing || (c->stdoutEnded && c->stderrEnded))) return end(c);
  if (c->graceStarted || c->closing) return;
  if (c->exitStatus) {
    // It exited but something it started still holds its pipes: read what comes for a moment.
    c->graceStarted = true;
    c->timer.expires_after(kDrainGrace);
    c->timer.async_wait([this, c](const boost::system::error_code& error) {
      if (!error) end(c);
    });
  } else if (c->stdoutEnded) {
    // It closed its stdout but runs on: it can never answer again.
    c->graceStarted = true;
    c->timer.expires_after(kStdoutClosedGrace);
    c->timer.async_wait([c](const boost::system::error_code& error) {
      if (!error) c->process->signal(SIGKILL);
    });
  }
}

void StdioUpstream::end(std::shared_ptr<Connection> c) {
  if (c->over) return;
  c->over = true;
  c->timer.cancel();
  boost::system::error_code ignored;
  c->process->stdinPipe().close(ignored);
  c->process->stdoutPipe().close(ignored);
  c->process->stderrPipe().close(ignored);
  if (current_ == c) current_.reset();
  if (c->closing) {
    for (auto& done : c->closed) boost::asio::post(ioc_, std::move(done));
    c->closed.clear();
    return;
  }
  std::string why;
  if (c->fatal) {
    why = *c->fatal;
  } else if (!c->exitStatus) {
    why = fmt::format("upstream '{}' closed its stdout", name_);
  } else {
    why = fmt::format("upstream '{}' {}", name_, ChildProcess::describeExit(*c->exitStatus));
  }
  if (!c->lastStderr.empty()) why += fmt::format("; its last stderr line: {}", c->lastStderr);
  if (c->handlers.closed) c->handlers.closed(why);
}

void StdioUpstream::close(std::function<void()> done) {
  auto c = current_;
  current_.reset();
  if (!c || c->over) {
    boost::asio::post(ioc_, std::move(done));
    return;
  }
  c->closed.push_back(std::move(done));
  if (c->closing) return;
  c->closing = true;
  // What is not being written is dropped (the one being written is still in use).
  if (c->writes.size() > 1) c->writes.erase(c->writes.begin() + (c->writing ? 1 : 0), c->writes.end());
  if (!c->writing) c->writes.clear();
  boost::system::error_code ignored;
  c->process->stdinPipe().close(ignored);  // EOF: how stdio servers expect to be told to stop
  c->process->signal(SIGTERM);
  if (c->exitStatus) return end(c);
  c->timer.cancel();
  c->timer.expires_after(kStopGrace);
  c->timer.async_wait([c](const boost::system::error_code& error) {
    if (!error) c->process->signal(SIGKILL);
  });
}

std::string StdioUpstream::hint() const {
  if (lastGarbage_.empty()) return {};
  return fmt::format("; it wrote a line on stdout that is not JSON-RPC: {}", lastGarbage_);
}

}  // namespace wisp::codemode
