// Foundation benchmark: how fast wisp makes a fresh isolate + context from its startup
// snapshot, what an idle one costs in memory, and how long a cold Worker takes to answer.
//
//   build/bench/wisp-bench-isolate [--creations 1000] [--live 1000] [--json out.json]
//
// 1. create + dispose an isolate with its context, N times: median and p99;
// 2. keep L isolates alive (idle, one context each): resident memory per isolate;
// 3. a cold Worker (new isolate, one small module, one fetch): median and p99;
// 4. the same with the isolate pool of `wisp serve` kept full: what a cold start costs when the
//    pool keeps up (the isolate comes ready; only the module is compiled and run).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <unistd.h>

#include "api/global-scope.h"
#include "io/isolate-pool.h"
#include "io/worker.h"
#include "js/class.h"
#include "js/engine.h"
#include "js/isolate.h"

using Clock = std::chrono::steady_clock;
using namespace wisp;

namespace {

double rssMiB() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

struct Stats {
  double median, p99, mean;
};

Stats stats(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  double sum = 0;
  for (double x : v) sum += x;
  return {v[v.size() / 2], v[std::min(v.size() - 1, static_cast<size_t>(v.size() * 0.99))], sum / v.size()};
}

double ms(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double, std::milli>(b - a).count(); }

}  // namespace

int main(int argc, char** argv) {
  int creations = 1000, live = 1000, workers = 300;
  std::string jsonOut;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--creations") creations = std::stoi(argv[i + 1]);
    else if (a == "--live") live = std::stoi(argv[i + 1]);
    else if (a == "--workers") workers = std::stoi(argv[i + 1]);
    else if (a == "--json") jsonOut = argv[i + 1];
  }
  api::registerClasses(js::Registry::get());
  js::Engine::init({});

  // Warm up the process (first isolate pays one-time costs).
  for (int i = 0; i < 10; i++) js::Isolate::create({});

  std::vector<double> create;
  for (int i = 0; i < creations; i++) {
    auto t0 = Clock::now();
    auto iso = js::Isolate::create({});
    auto t1 = Clock::now();
    create.push_back(ms(t0, t1));
  }
  auto c = stats(create);

  double before = rssMiB();
  std::vector<std::unique_ptr<js::Isolate>> kept;
  for (int i = 0; i < live; i++) kept.push_back(js::Isolate::create({}));
  double after = rssMiB();
  double perIsolate = (after - before) / live;
  kept.clear();

  // One cold Worker: create, start, one fetch. Returns the time taken, or -1 on failure.
  auto coldWorker = [] {
    boost::asio::io_context ioc;
    auto t0 = Clock::now();
    auto code = io::buildWorkerCode("main.js", {{"main.js", "export default { fetch(r) { return new Response('ok ' + r.url); } };", {}}});
    auto worker = io::Worker::create(ioc, std::move(code), {});
    bool ok = false;
    worker->start([&](std::optional<io::Failure> f) {
      if (f) return;
      worker->fetch({}, "default", [&](io::FetchResult r) { ok = r.response && r.response->body == "ok http://localhost/"; });
    });
    ioc.run();
    return ok ? ms(t0, Clock::now()) : -1.0;
  };
  std::vector<double> cold, pooled;
  for (int i = 0; i < workers; i++) cold.push_back(coldWorker());
  {
    constexpr size_t kPoolSize = 4;
    io::IsolatePool pool(kPoolSize, {});
    for (int i = 0; i < workers; i++) {
      while (pool.stats().ready < kPoolSize) usleep(1000);  // the pool keeps up between requests
      pooled.push_back(coldWorker());
    }
  }
  if (std::count(cold.begin(), cold.end(), -1.0) || std::count(pooled.begin(), pooled.end(), -1.0)) {
    std::cerr << "cold worker request failed\n";
    return 1;
  }
  auto w = stats(cold), p = stats(pooled);

  std::printf("isolate+context from snapshot (n=%d): median %.3f ms, p99 %.3f ms, mean %.3f ms\n", creations, c.median,
              c.p99, c.mean);
  std::printf("idle isolates (n=%d live): %.3f MiB RSS each (RSS %.1f -> %.1f MiB)\n", live, perIsolate, before, after);
  std::printf("cold Worker, one module + one fetch (n=%d): median %.3f ms, p99 %.3f ms\n", workers, w.median, w.p99);
  std::printf("cold Worker with a ready isolate from the pool (n=%d): median %.3f ms, p99 %.3f ms\n", workers, p.median,
              p.p99);
  if (!jsonOut.empty()) {
    std::ofstream out(jsonOut);
    out << "{\"create_ms\":{\"median\":" << c.median << ",\"p99\":" << c.p99 << ",\"mean\":" << c.mean
        << "},\"idle_rss_mib_per_isolate\":" << perIsolate << ",\"live\":" << live
        << ",\"cold_worker_ms\":{\"median\":" << w.median << ",\"p99\":" << w.p99
        << "},\"pooled_cold_worker_ms\":{\"median\":" << p.median << ",\"p99\":" << p.p99 << "}}\n";
  }
  return 0;
}
