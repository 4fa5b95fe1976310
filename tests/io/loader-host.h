// A host Worker with a Worker Loader binding (LOADER) on a loop of its own, for the runtime's
// tests of dynamic Workers and RPC: started at construction, fetch() runs one request to its end.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "io/worker-loader.h"
#include "io/worker.h"

namespace wisp::io {

struct LoaderHost {
  boost::asio::io_context ioc;
  std::shared_ptr<Worker> worker;
  std::optional<Failure> startFailure;

  explicit LoaderHost(std::string source, Limits limits = {}, LoaderSettings loader = {}) {
    Worker::Options options;
    options.limits = limits;
    options.workerLoaders = {{"LOADER", "LOADER"}};
    options.loader = std::move(loader);
    worker = Worker::create(ioc, buildWorkerCode("main.js", {{"main.js", std::move(source), {}}}), options);
    bool started = false;
    worker->start([&](std::optional<Failure> f) {
      started = true;
      startFailure = f;
    });
    while (!started && ioc.run_one()) {
    }
    EXPECT_FALSE(startFailure) << startFailure->text();
  }

  FetchResult fetch() {
    FetchResult out;
    bool done = false;
    worker->fetch({}, "default", [&](FetchResult r) {
      out = std::move(r);
      done = true;
    });
    while (!done && ioc.run_one()) {
    }
    ioc.poll();  // what runs after the answer (unloading)
    return out;
  }

  WorkerLoader& loader() { return *static_cast<WorkerLoader*>(worker->workerLoader()); }
};

}  // namespace wisp::io
