// The set of upstreams: one McpSession per spec, all on one io_context run by a thread of its
// own. Callers on any loop post their request to that thread; answers are posted back to the
// loop they name. Nothing here blocks a caller, except shutdown(), which waits (a few seconds at
// most) for the processes to be gone.
#include "codemode/upstreams.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <future>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include "codemode/http-upstream.h"
#include "codemode/jsonrpc-session.h"
#include "codemode/stdio-upstream.h"

namespace wisp::codemode {
namespace {

using nlohmann::json;

void validate(const std::vector<UpstreamSpec>& specs) {
  std::set<std::string> names;
  for (const auto& spec : specs) {
    if (spec.name.empty()) throw std::invalid_argument("an upstream MCP server needs a name");
    if (!names.insert(spec.name).second)
      throw std::invalid_argument(fmt::format("two upstream MCP servers are named '{}'", spec.name));
    bool stdio = !spec.command.empty() && !spec.command[0].empty();
    bool http = !spec.url.empty();
    if (stdio == http)
      throw std::invalid_argument(
          fmt::format("upstream '{}' needs either a command or a URL, not {}", spec.name, stdio ? "both" : "neither"));
    if (!(spec.callTimeoutSeconds > 0))
      throw std::invalid_argument(fmt::format("upstream '{}' needs a positive call timeout", spec.name));
  }
}

ToolCallOutcome failure(std::string error) {
  ToolCallOutcome outcome;
  outcome.error = std::move(error);
  return outcome;
}

UpstreamTools listing(const std::string& name, std::optional<std::string> error) {
  UpstreamTools tools;
  tools.name = name;
  tools.error = std::move(error);
  return tools;
}

class UpstreamSet final : public Upstreams {
 public:
  explicit UpstreamSet(std::vector<UpstreamSpec> specs) : specs_(std::move(specs)) {
    for (const auto& spec : specs_) {
      auto timeout = std::chrono::milliseconds(static_cast<int64_t>(spec.callTimeoutSeconds * 1000));
      std::unique_ptr<UpstreamTransport> transport;
      if (spec.url.empty())
        transport = std::make_unique<StdioUpstream>(ioc_, spec.name, spec.command, spec.env);
      else
        transport = std::make_unique<HttpUpstream>(ioc_, spec.name, spec.url, spec.headers, timeout);
      sessions_.push_back(std::make_unique<McpSession>(ioc_, spec.name, std::move(transport), timeout));
    }
    thread_ = std::thread([this] { run(); });
  }

  ~UpstreamSet() override { shutdown(); }

  const std::vector<UpstreamSpec>& specs() const override { return specs_; }

  void listTools(boost::asio::io_context& replyOn, std::function<void(std::vector<UpstreamTools>)> done) override {
    auto reply = [replyOn = &replyOn, done = std::move(done)](std::vector<UpstreamTools> tools) mutable {
      boost::asio::post(*replyOn, [done = std::move(done), tools = std::move(tools)]() mutable { done(std::move(tools)); });
    };
    postOrRefuse(
        [this, reply]() mutable {
          struct Join {
            std::vector<UpstreamTools> tools;
            size_t left = 0;
            std::function<void(std::vector<UpstreamTools>)> reply;
          };
          auto join = std::make_shared<Join>();
          join->left = sessions_.size();
          join->reply = std::move(reply);
          for (const auto& spec : specs_) join->tools.push_back(listing(spec.name, std::nullopt));
          if (sessions_.empty()) return join->reply({});
          for (size_t i = 0; i < sessions_.size(); i++) {
            sessions_[i]->listTools([join, i](std::optional<json> tools, std::optional<std::string> error) {
              if (tools) join->tools[i].tools = std::move(*tools);
              join->tools[i].error = std::move(error);
              if (--join->left == 0) join->reply(std::move(join->tools));
            });
          }
        },
        [this, reply]() mutable {
          std::vector<UpstreamTools> tools;
          for (const auto& spec : specs_) tools.push_back(listing(spec.name, "the upstream MCP servers are shut down"));
          reply(std::move(tools));
        });
  }

  void callTool(boost::asio::io_context& replyOn, const std::string& server, const std::string& tool, json arguments,
                std::function<void(ToolCallOutcome)> done) override {
    auto reply = [replyOn = &replyOn, done = std::move(done)](ToolCallOutcome outcome) mutable {
      boost::asio::post(*replyOn, [done = std::move(done), outcome = std::move(outcome)]() mutable { done(std::move(outcome)); });
    };
    size_t index = 0;
    while (index < specs_.size() && specs_[index].name != server) index++;
    if (index == specs_.size()) return reply(failure(unknownServer(server)));
    if (!arguments.is_null() && !arguments.is_object())
      return reply(failure(fmt::format("the arguments of {}.{} must be an object, not {}", server, tool, arguments.type_name())));
    postOrRefuse(
        [this, index, tool, arguments = std::move(arguments), reply]() mutable {
          sessions_[index]->callTool(tool, std::move(arguments),
                                     [reply](std::optional<json> result, std::optional<std::string> error) mutable {
                                       ToolCallOutcome outcome;
                                       outcome.result = std::move(result);
                                       outcome.error = std::move(error);
                                       reply(std::move(outcome));
                                     });
        },
        [server, reply]() mutable { reply(failure(fmt::format("upstream '{}' is shut down", server))); });
  }

  void shutdown() override {
    std::call_once(shutdownOnce_, [this] {
      {
        std::lock_guard lock(mutex_);
        closed_ = true;
      }
      if (std::this_thread::get_id() == thread_.get_id()) {  // from inside a session: cannot wait for itself
        thread_.detach();
        return;
      }
      std::promise<void> stopped;
      boost::asio::post(ioc_, [this, &stopped] {
        auto left = std::make_shared<size_t>(sessions_.size());
        if (*left == 0) return stopped.set_value();
        for (auto& session : sessions_) {
          session->close([left, &stopped] {
            if (--*left == 0) stopped.set_value();
          });
        }
      });
      stopped.get_future().wait();
      ioc_.stop();
      thread_.join();
    });
  }

 private:
  // Runs `work` on the upstream thread, or `refuse` right here once shut down.
  template <typename Work, typename Refuse>
  void postOrRefuse(Work work, Refuse refuse) {
    std::unique_lock lock(mutex_);
    if (closed_) {
      lock.unlock();
      return refuse();
    }
    boost::asio::post(ioc_, std::move(work));
  }

  std::string unknownServer(const std::string& server) const {
    std::string names;
    for (const auto& spec : specs_) names += (names.empty() ? "" : ", ") + spec.name;
    if (names.empty()) return fmt::format("there is no upstream named '{}' (no upstreams are configured)", server);
    return fmt::format("there is no upstream named '{}' (the upstreams are: {})", server, names);
  }

  void run() {
    pthread_setname_np(pthread_self(), "wisp-upstreams");
    // A write to a process that has exited fails with EPIPE instead of killing wisp. Only this
    // thread writes to upstream pipes; children get a clean mask (see ChildProcess::spawn).
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
    for (;;) {
      try {
        ioc_.run();
        return;
      } catch (const std::exception& e) {
        std::string line = fmt::format("wisp: error on the upstream MCP thread: {}\n", e.what());
        [[maybe_unused]] auto n = ::write(2, line.data(), line.size());
      }
    }
  }

  boost::asio::io_context ioc_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_ = boost::asio::make_work_guard(ioc_);
  std::vector<UpstreamSpec> specs_;
  std::vector<std::unique_ptr<McpSession>> sessions_;  // destroyed before ioc_
  std::mutex mutex_;
  bool closed_ = false;
  std::once_flag shutdownOnce_;
  std::thread thread_;
};

}  // namespace

std::shared_ptr<Upstreams> Upstreams::create(std::vector<UpstreamSpec> specs) {
  validate(specs);
  return std::make_shared<UpstreamSet>(std::move(specs));
}

}  // namespace wisp::codemode
