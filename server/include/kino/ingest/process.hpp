#pragma once
// Runs a child program (ffmpeg, ffprobe) without a shell, streaming its stdout line by line and
// keeping the tail of stderr. Blocks the calling thread (an ingest worker); `cancelled` is polled a
// few times a second and kills the child when it turns true.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "kino/common/result.hpp"

namespace kino::ingest {

struct ProcessOutcome {
  int exit_code = -1;       // -1 when killed by a signal
  std::string stdout_text;  // all of stdout when `keep_stdout`, else empty
  std::string stderr_tail;  // the last few KiB of stderr
};

Result<ProcessOutcome> runProcess(const std::string& program, const std::vector<std::string>& args,
                                  const std::function<void(std::string_view line)>& on_stdout_line,
                                  const std::function<bool()>& cancelled, bool keep_stdout = false);

}  // namespace kino::ingest
