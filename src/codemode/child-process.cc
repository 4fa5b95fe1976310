#include "codemode/child-process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

extern char** environ;

namespace wisp::codemode {
namespace {

// Both ends close on exec; the child's ends are dup2'ed onto 0, 1 and 2, which clears that flag.
struct Pipe {
  int read = -1;
  int write = -1;
  bool open() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return false;
    read = fds[0];
    write = fds[1];
    return true;
  }
  void close() {
    if (read >= 0) ::close(read);
    if (write >= 0) ::close(write);
    read = write = -1;
  }
};

std::string spawnError(int error, const std::string& command) {
  switch (error) {
    case ENOENT: return fmt::format("no such command '{}'", command);
    case EACCES: return fmt::format("'{}' is not executable (permission denied)", command);
    case ENOEXEC: return fmt::format("'{}' is not an executable file", command);
    default: return fmt::format("cannot start '{}': {}", command, std::strerror(error));
  }
}

}  // namespace

std::unique_ptr<ChildProcess> ChildProcess::spawn(boost::asio::io_context& ioc, const std::vector<std::string>& argv,
                                                  const std::vector<std::pair<std::string, std::string>>& env,
                                                  std::string& error) {
  if (argv.empty() || argv[0].empty()) {
    error = "no command given";
    return nullptr;
  }
  Pipe in, out, err;
  if (!in.open() || !out.open() || !err.open()) {
    error = fmt::format("cannot create pipes: {}", std::strerror(errno));
    in.close(), out.close(), err.close();
    return nullptr;
  }

  // wisp's environment, with `env` replacing or adding variables.
  std::vector<std::string> environment;
  for (char** e = environ; e && *e; e++) {
    std::string_view entry(*e);
    std::string_view key = entry.substr(0, entry.find('='));
    bool replaced = false;
    for (auto& [name, value] : env) replaced = replaced || name == key;
    if (!replaced) environment.emplace_back(entry);
  }
  for (auto& [name, value] : env) environment.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (auto& e : environment) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> args(argv);
  std::vector<char*> argp;
  for (auto& a : args) argp.push_back(a.data());
  argp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.read, 0);
  posix_spawn_file_actions_adddup2(&actions, out.write, 1);
  posix_spawn_file_actions_adddup2(&actions, err.write, 2);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  // A group of its own (to stop it with what it started); the signal mask and dispositions of a
  // fresh process, not those of the upstream thread (which blocks SIGPIPE).
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  posix_spawnattr_setpgroup(&attributes, 0);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  pid_t pid = -1;
  // posix_spawnp searches PATH itself and reports a failed exec (ENOENT...) as its result.
  int result = posix_spawnp(&pid, args[0].c_str(), &actions, &attributes, argp.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  ::close(in.read);
  ::close(out.write);
  ::close(err.write);
  if (result != 0) {
    error = spawnError(result, args[0]);
    ::close(in.write), ::close(out.read), ::close(err.read);
    return nullptr;
  }
  // glibc 2.36's <sys/pidfd.h> lacks extern "C" for C++: the system call itself.
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) {
    error = fmt::format("cannot watch process {}: {}", pid, std::strerror(errno));
    ::kill(-pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    ::close(in.write), ::close(out.read), ::close(err.read);
    return nullptr;
  }
  return std::unique_ptr<ChildProcess>(new ChildProcess(ioc, pid, pidfd, in.write, out.read, err.read));
}

ChildProcess::ChildProcess(boost::asio::io_context& ioc, pid_t pid, int pidfd, int in, int out, int err)
    : pid_(pid), stdin_(ioc, in), stdout_(ioc, out), stderr_(ioc, err), pidfd_(ioc, pidfd) {}

ChildProcess::~ChildProcess() {
  *alive_ = false;
  if (!waitStatus_) {
    ::kill(-pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);  // SIGKILL cannot be ignored: this wait is short
  }
}

void ChildProcess::watchExit(std::function<void(int)> exited) {
  exited_ = std::move(exited);
  awaitExit();
}

void ChildProcess::awaitExit() {
  pidfd_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                    [this, alive = alive_](const boost::system::error_code& error) {
                      if (!*alive) return;
                      if (reap()) {
                        // Moved out first: the callback may own this process (and so destroy it).
                        if (auto exited = std::move(exited_)) exited(*waitStatus_);
                      } else if (!error) {
                        awaitExit();
                      }
                    });
}

bool ChildProcess::reap() {
  if (waitStatus_) return true;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) waitStatus_ = status;
  else if (r < 0 && errno == ECHILD) waitStatus_ = 0;  // someone else reaped it (should not happen)
  return waitStatus_.has_value();
}

void ChildProcess::signal(int signal) {
  if (!waitStatus_) ::kill(-pid_, signal);
}

std::string ChildProcess::describeExit(int waitStatus) {
  if (WIFEXITED(waitStatus)) return fmt::format("exited with status {}", WEXITSTATUS(waitStatus));
  if (WIFSIGNALED(waitStatus)) {
    int sig = WTERMSIG(waitStatus);
    const char* name = sigdescr_np(sig);
    return name ? fmt::format("was killed by signal {} ({})", sig, name) : fmt::format("was killed by signal {}", sig);
  }
  return fmt::format("ended (wait status {})", waitStatus);
}

}  // namespace wisp::codemode
