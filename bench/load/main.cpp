// kino_load: many people in many rooms against one Kino, from one thread of one process, so that
// latency is read on one clock and the generator's own CPU shows whether it or Kino is the limit
// (docs/benchmarks.md, "Realtime at scale"; bench/load.bench.mjs starts Kino and runs this).
//
//   kino_load --url http://127.0.0.1:PORT --slugs a,b,… --guests 30 --chat-rates 1,10
//             [--phase-s 60] [--control-every-s 10] [--churn-per-min 1] [--ping-every-s 5]
//             [--settle-s 2] [--connect-concurrency 64] [--kino-pid PID]
//
// Each guest joins over REST (a kino_guest cookie) and opens the room socket with that cookie and
// the page's Origin. Phases: "connect" (everyone in), then one phase per chat rate (messages per
// second per room; 0 is an idle phase): chat from random people, a playback control every K s per
// room, people leaving and coming back, pings. One JSON line per phase on stdout.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdio>
#include <iostream>
#include <map>
#include <random>
#include <sstream>

#include "fleet.hpp"
#include "proc_stat.hpp"

namespace kino::bench {
namespace {

struct Options {
  std::string url;
  std::vector<std::string> slugs;
  int guests = 30;
  std::vector<double> chat_rates{1};
  double phase_s = 60;
  double control_every_s = 10;
  double churn_per_min = 1;
  double ping_every_s = 5;
  double settle_s = 2;
  int connect_concurrency = 64;
  pid_t kino_pid = 0;
};

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

Options parse(int argc, char** argv) {
  Options o;
  std::map<std::string, std::string> args;
  for (int i = 1; i + 1 < argc; i += 2) args[argv[i]] = argv[i + 1];
  auto num = [&](const char* key, double& out) {
    if (auto it = args.find(key); it != args.end()) out = std::stod(it->second);
  };
  o.url = args["--url"];
  o.slugs = split(args["--slugs"]);
  if (args.contains("--guests")) o.guests = std::stoi(args["--guests"]);
  if (args.contains("--chat-rates")) {
    o.chat_rates.clear();
    for (const auto& r : split(args["--chat-rates"])) o.chat_rates.push_back(std::stod(r));
  }
  num("--phase-s", o.phase_s);
  num("--control-every-s", o.control_every_s);
  num("--churn-per-min", o.churn_per_min);
  num("--ping-every-s", o.ping_every_s);
  num("--settle-s", o.settle_s);
  if (args.contains("--connect-concurrency"))
    o.connect_concurrency = std::stoi(args["--connect-concurrency"]);
  if (args.contains("--kino-pid")) o.kino_pid = static_cast<pid_t>(std::stol(args["--kino-pid"]));
  return o;
}

// "http://127.0.0.1:8080" → the endpoint, Host and Origin. Only numeric addresses (loopback).
Target targetOf(const std::string& url) {
  const std::string rest = url.substr(url.find("://") + 3);
  const auto colon = rest.rfind(':');
  const std::string host = rest.substr(0, colon);
  const auto port = static_cast<unsigned short>(std::stoi(rest.substr(colon + 1)));
  return {tcp::endpoint(asio::ip::make_address(host), port), rest, url};
}

using Clock = std::chrono::steady_clock;
constexpr auto kAwait = asio::use_awaitable;

class Driver {
 public:
  explicit Driver(Options o) : o_(std::move(o)), target_(targetOf(o_.url)) {
    for (std::size_t r = 0; r < o_.slugs.size(); ++r) {
      auto room = std::make_unique<Room>();
      room->index = static_cast<int>(r);
      room->slug = o_.slugs[r];
      room->sent_ns.push_back(0);
      rooms_.push_back(std::move(room));
    }
    for (auto& room : rooms_) {
      for (int g = 0; g < o_.guests; ++g) {
        room->guests.push_back(std::make_shared<Guest>(io_, *room, g, target_, counters_));
      }
    }
  }

  int run() {
    asio::co_spawn(io_, main(), [](const std::exception_ptr& e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& x) {
        std::cerr << "kino_load: " << x.what() << "\n";
      }
    });
    io_.run();
    return failed_ ? 1 : 0;
  }

 private:
  asio::awaitable<void> main() {
    const auto forever = Clock::now() + std::chrono::hours(24 * 365);
    asio::co_spawn(io_, every(0.1, forever, [this] { pingSome(); }), asio::detached);
    co_await connectAll();
    for (double rate : o_.chat_rates) co_await phase(rate);
    for (auto& room : rooms_) {
      for (auto& g : room->guests) g->leave();
    }
    io_.stop();
  }

  // Clock pings, from the first connection on (a silent socket is dropped): each socket about every
  // ping_every_s, spread over 100-ms ticks.
  void pingSome() {
    if (all_.empty()) {
      for (auto& room : rooms_) all_.insert(all_.end(), room->guests.begin(), room->guests.end());
    }
    const auto per_tick = std::max<std::size_t>(
        1, static_cast<std::size_t>(static_cast<double>(all_.size()) / (o_.ping_every_s * 10)));
    const auto t0 = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    for (std::size_t i = 0; i < per_tick && !all_.empty(); ++i) {
      all_[ping_cursor_++ % all_.size()]->send(R"({"type":"ping","t0":)" + std::to_string(t0) +
                                               "}");
    }
  }

  // Everyone joins (REST), then opens the socket, `connect_concurrency` at a time.
  asio::awaitable<void> connectAll() {
    std::vector<std::shared_ptr<Guest>> all;
    for (auto& room : rooms_) all.insert(all.end(), room->guests.begin(), room->guests.end());
    const auto t0 = Clock::now();
    const int joined = co_await inParallel(all, [](Guest& g) { return g.join(); });
    const auto t1 = Clock::now();
    const int connected = co_await inParallel(all, [](Guest& g) { return g.connect(); });
    const auto t2 = Clock::now();
    const auto secs = [](auto d) { return std::chrono::duration<double>(d).count(); };
    char line[512];
    std::snprintf(
        line, sizeof line,
        R"({"phase":"connect","rooms":%zu,"sockets":%d,"joins_failed":%d,"sockets_failed":%d,"join_s":%.2f,"connect_s":%.2f,"kino_rss_kib":%lld,"gen_rss_kib":%lld})",
        rooms_.size(), connected, static_cast<int>(all.size()) - joined,
        static_cast<int>(all.size()) - connected, secs(t1 - t0), secs(t2 - t1),
        static_cast<long long>(o_.kino_pid ? rssKibOf(o_.kino_pid).value_or(0) : 0),
        static_cast<long long>(rssKibOf(::getpid()).value_or(0)));
    std::cout << line << std::endl;
    if (connected < static_cast<int>(all.size())) failed_ = true;
  }

  template <class F>
  asio::awaitable<int> inParallel(const std::vector<std::shared_ptr<Guest>>& all, F step) {
    int ok = 0;
    int running = 0;
    std::size_t next = 0;
    asio::steady_timer done(io_, Clock::time_point::max());
    auto worker = [&]() -> asio::awaitable<void> {
      while (next < all.size()) {
        auto g = all[next++];
        if (co_await step(*g)) ++ok;
      }
      if (--running == 0) done.cancel();
    };
    const int n = std::max(1, std::min<int>(o_.connect_concurrency, static_cast<int>(all.size())));
    running = n;
    for (int i = 0; i < n; ++i) asio::co_spawn(io_, worker(), asio::detached);
    boost::system::error_code ec;
    if (running > 0) co_await done.async_wait(asio::redirect_error(kAwait, ec));
    co_return ok;
  }

  std::shared_ptr<Guest> someone(Room& room) {
    std::uniform_int_distribution<std::size_t> pick(0, room.guests.size() - 1);
    for (int tries = 0; tries < 8; ++tries) {
      auto g = room.guests[pick(rng_)];
      if (g->connected()) return g;
    }
    return nullptr;
  }

  // Runs `tick` every `every_s` (from a random offset, so rooms do not act in step) until the end.
  asio::awaitable<void> every(double every_s, Clock::time_point end, std::function<void()> tick) {
    if (every_s <= 0) co_return;
    const auto period =
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(every_s));
    std::uniform_real_distribution<double> offset(0, every_s);
    auto next = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double>(offset(rng_)));
    asio::steady_timer timer(io_);
    while (next < end) {
      timer.expires_at(next);
      boost::system::error_code ec;
      co_await timer.async_wait(asio::redirect_error(kAwait, ec));
      tick();
      next += period;
    }
  }

  asio::awaitable<void> phase(double rate) {
    counters_ = Counters{};
    std::vector<std::size_t> first_message;
    for (auto& room : rooms_) first_message.push_back(room->sent_ns.size());
    const auto kino_before = o_.kino_pid ? cpuOf(o_.kino_pid) : std::nullopt;
    const auto gen_before = cpuOf(::getpid());
    const auto start = Clock::now();
    const auto end = start + std::chrono::duration_cast<Clock::duration>(
                                 std::chrono::duration<double>(o_.phase_s));
    int running = 0;
    asio::steady_timer done(io_, Clock::time_point::max());
    auto spawn = [&](asio::awaitable<void> loop) {
      ++running;
      asio::co_spawn(io_, std::move(loop), [&](const std::exception_ptr&) {
        if (--running == 0) done.cancel();
      });
    };
    bool play = false;
    std::int64_t controls = 0;
    for (auto& room_ptr : rooms_) {
      Room& room = *room_ptr;
      if (rate > 0) {
        spawn(every(1.0 / rate, end, [this, &room] {
          auto g = someone(room);
          if (!g) return;
          const std::size_t n = room.sent_ns.size();
          const std::int64_t t = nowNs();
          room.sent_ns.push_back(t);
          g->send(R"({"type":"chat.send","id":"m)" + std::to_string(room.index) + "-" +
                  std::to_string(n) + R"(","text":")" + std::to_string(n) + " " +
                  std::to_string(t) + "\"}");
        }));
      }
      spawn(every(o_.control_every_s, end, [this, &room, &play, &controls] {
        auto g = someone(room);
        if (!g) return;
        play = !play;
        ++controls;
        g->send(play ? R"({"type":"playback.control","action":"play"})"
                     : R"({"type":"playback.control","action":"pause"})");
      }));
      if (o_.churn_per_min > 0) {
        spawn(every(60.0 / o_.churn_per_min, end, [this, &room] {
          auto g = someone(room);
          if (!g) return;
          g->leave();
          asio::co_spawn(io_, comeBack(g), asio::detached);
        }));
      }
    }
    boost::system::error_code ec;
    asio::steady_timer until_end(io_, end);  // an idle phase has no loops but lasts as long
    co_await until_end.async_wait(asio::redirect_error(kAwait, ec));
    if (running > 0) co_await done.async_wait(asio::redirect_error(kAwait, ec));
    const auto sent_end = Clock::now();
    asio::steady_timer settle(io_, std::chrono::duration_cast<Clock::duration>(
                                       std::chrono::duration<double>(o_.settle_s)));
    co_await settle.async_wait(asio::redirect_error(kAwait, ec));
    const auto kino_after = o_.kino_pid ? cpuOf(o_.kino_pid) : std::nullopt;
    const auto gen_after = cpuOf(::getpid());
    report(rate, controls, first_message, std::chrono::duration<double>(sent_end - start).count(),
           kino_before, kino_after, gen_before, gen_after);
  }

  asio::awaitable<void> comeBack(std::shared_ptr<Guest> g) {
    asio::steady_timer t(io_, std::chrono::seconds(1));
    boost::system::error_code ec;
    co_await t.async_wait(asio::redirect_error(kAwait, ec));
    co_await g->connect();
  }

  void report(double rate, std::int64_t controls, const std::vector<std::size_t>& first_message,
              double seconds, std::optional<CpuTimes> kb, std::optional<CpuTimes> ka,
              std::optional<CpuTimes> gb, std::optional<CpuTimes> ga) {
    // A message counts for a socket that had its hello before it was sent and stayed connected
    // until the settle began.
    const std::int64_t margin = static_cast<std::int64_t>(o_.settle_s * 1e9) / 2;
    std::int64_t sent = 0;
    std::int64_t expected = 0;
    std::int64_t delivered = 0;
    for (std::size_t r = 0; r < rooms_.size(); ++r) {
      const Room& room = *rooms_[r];
      for (std::size_t n = first_message[r]; n < room.sent_ns.size(); ++n) {
        ++sent;
        const std::int64_t t = room.sent_ns[n];
        for (const auto& g : room.guests) {
          if (g->helloNs() == 0 || g->helloNs() >= t || g->leftNs() <= t + margin) continue;
          ++expected;
          if (g->got(n)) ++delivered;
        }
      }
    }
    const auto frames = static_cast<double>(std::max<std::int64_t>(counters_.frames, 1));
    const double ku = ka && kb ? ka->user_s - kb->user_s : 0;
    const double ks = ka && kb ? ka->system_s - kb->system_s : 0;
    const double gu = ga && gb ? ga->user_s - gb->user_s : 0;
    const double gs = ga && gb ? ga->system_s - gb->system_s : 0;
    std::int64_t sockets = 0;
    for (const auto& room : rooms_) {
      for (const auto& g : room->guests) sockets += g->connected() ? 1 : 0;
    }
    char line[1024];
    std::snprintf(
        line, sizeof line,
        R"({"phase":"chat","rate_per_room":%g,"seconds":%.1f,"sockets":%lld,"sent":%lld,"controls":%lld,"expected":%lld,"delivered":%lld,"lost":%lld,"duplicates":%lld,"errors":%lld,"frames":%lld,"frames_per_s":%.0f,"p50_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f,"kino_cpu_user_s":%.2f,"kino_cpu_system_s":%.2f,"kino_user_us_per_frame":%.2f,"kino_total_us_per_frame":%.2f,"kino_rss_kib":%lld,"gen_cpu_user_s":%.2f,"gen_cpu_system_s":%.2f})",
        rate, seconds, static_cast<long long>(sockets), static_cast<long long>(sent),
        static_cast<long long>(controls), static_cast<long long>(expected),
        static_cast<long long>(delivered), static_cast<long long>(expected - delivered),
        static_cast<long long>(counters_.duplicates), static_cast<long long>(counters_.errors),
        static_cast<long long>(counters_.frames),
        static_cast<double>(counters_.frames) / (seconds + o_.settle_s),
        static_cast<double>(counters_.latency.percentile(0.5)) / 1000,
        static_cast<double>(counters_.latency.percentile(0.99)) / 1000,
        static_cast<double>(counters_.latency.max()) / 1000, ku, ks, ku * 1e6 / frames,
        (ku + ks) * 1e6 / frames,
        static_cast<long long>(o_.kino_pid ? rssKibOf(o_.kino_pid).value_or(0) : 0), gu, gs);
    std::cout << line << std::endl;
  }

  Options o_;
  Target target_;
  asio::io_context io_{1};
  Counters counters_;
  std::vector<std::unique_ptr<Room>> rooms_;
  std::mt19937 rng_{42};
  std::vector<std::shared_ptr<Guest>> all_;
  std::size_t ping_cursor_ = 0;
  bool failed_ = false;
};

}  // namespace
}  // namespace kino::bench

int main(int argc, char** argv) {
  auto options = kino::bench::parse(argc, argv);
  if (options.url.empty() || options.slugs.empty()) {
    std::cerr << "usage: kino_load --url http://127.0.0.1:PORT --slugs a,b,… [--guests N] "
                 "[--chat-rates 1,10] "
                 "[--phase-s S] [--control-every-s K] [--churn-per-min C] [--ping-every-s P] "
                 "[--kino-pid PID]\n";
    return 2;
  }
  return kino::bench::Driver(std::move(options)).run();
}
