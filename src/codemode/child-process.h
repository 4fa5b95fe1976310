// A child process with its stdin, stdout and stderr as pipes, watched on an Asio loop: its exit
// is noticed through a pidfd (no SIGCHLD handler, no polling) and it is reaped at once, so it
// never stays a zombie. It runs in a process group of its own, so stopping it also stops what it
// started itself (`npx` and the server it runs, a shell and its pipeline).
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

namespace wisp::codemode {

class ChildProcess {
 public:
  // Starts `argv[0]` (searched on PATH unless it contains a slash) with wisp's environment plus
  // `env`. Returns nullptr with the reason in `error` ("no such command 'foo'") when it cannot.
  static std::unique_ptr<ChildProcess> spawn(boost::asio::io_context& ioc, const std::vector<std::string>& argv,
                                             const std::vector<std::pair<std::string, std::string>>& env,
                                             std::string& error);
  ~ChildProcess();  // kills the group (SIGKILL) and reaps the child if it is still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  boost::asio::posix::stream_descriptor& stdinPipe() { return stdin_; }
  boost::asio::posix::stream_descriptor& stdoutPipe() { return stdout_; }
  boost::asio::posix::stream_descriptor& stderrPipe() { return stderr_; }

  // `exited` runs once on the loop, with the wait status (as from waitpid), after the child was
  // reaped. Call once.
  void watchExit(std::function<void(int waitStatus)> exited);
  // Sends `signal` to the child's process group (nothing once it was reaped).
  void signal(int signal);
  bool running() const { return !waitStatus_; }
  pid_t pid() const { return pid_; }

  // "exited with status 1", "was killed by signal 9 (Killed)".
  static std::string describeExit(int waitStatus);

 private:
  ChildProcess(boost::asio::io_context& ioc, pid_t pid, int pidfd, int in, int out, int err);
  void awaitExit();
  bool reap();

  pid_t pid_;
  boost::asio::posix::stream_descriptor stdin_;
  boost::asio::posix::stream_descriptor stdout_;
  boost::asio::posix::stream_descriptor stderr_;
  boost::asio::posix::stream_descriptor pidfd_;  // readable once the child has exited
  std::function<void(int)> exited_;
  std::optional<int> waitStatus_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // guards the pidfd wait's handler
};

}  // namespace wisp::codemode
