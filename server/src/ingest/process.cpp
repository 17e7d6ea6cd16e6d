#include "kino/ingest/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace kino::ingest {
namespace {

constexpr std::size_t kStderrTail = 4096;

}  // namespace

Result<ProcessOutcome> runProcess(const std::string& program, const std::vector<std::string>& args,
                                  const std::function<void(std::string_view)>& on_line,
                                  const std::function<bool()>& cancelled, bool keep_stdout) {
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return Error::internal("pipe: " + errnoText(errno));
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    return Error::internal("pipe: " + errnoText(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(program.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (rc != 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    return Error::make(ErrorKind::kUnavailable, "tool_missing",
                       "Could not start " + program + ": " + errnoText(rc));
  }

  ProcessOutcome outcome;
  std::string line_buf;
  bool out_open = true, err_open = true, killed = false;
  char buf[8192];
  while (out_open || err_open) {
    pollfd fds[2] = {{out_open ? out_pipe[0] : -1, POLLIN, 0}, {err_open ? err_pipe[0] : -1, POLLIN, 0}};
    const int n = poll(fds, 2, 200);
    if (!killed && cancelled && cancelled()) {
      kill(pid, SIGKILL);
      killed = true;
    }
    if (n <= 0) continue;
    if (out_open && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
      const ssize_t got = read(out_pipe[0], buf, sizeof buf);
      if (got <= 0) {
        out_open = false;
      } else {
        const std::string_view chunk(buf, static_cast<std::size_t>(got));
        if (keep_stdout) outcome.stdout_text.append(chunk);
        line_buf.append(chunk);
        std::size_t nl;
        while ((nl = line_buf.find('\n')) != std::string::npos) {
          if (on_line) on_line(std::string_view(line_buf).substr(0, nl));
          line_buf.erase(0, nl + 1);
        }
      }
    }
    if (err_open && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      const ssize_t got = read(err_pipe[0], buf, sizeof buf);
      if (got <= 0) {
        err_open = false;
      } else {
        outcome.stderr_tail.append(buf, static_cast<std::size_t>(got));
        if (outcome.stderr_tail.size() > kStderrTail) {
          outcome.stderr_tail.erase(0, outcome.stderr_tail.size() - kStderrTail);
        }
      }
    }
  }
  close(out_pipe[0]);
  close(err_pipe[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (killed) return Error::make(ErrorKind::kUnavailable, "cancelled", "stopped");
  return outcome;
}

}  // namespace kino::ingest
