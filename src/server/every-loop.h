// Work that must happen on every event loop of the server (each loop has its own Workers): run
// a step on each, then go on where the request came from once all of them have.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

namespace wisp::server {

// Posts `each(i)` to loop i, for every loop; once all have run, posts `done()` to `origin`.
// Whatever `each` writes to its own slot i of a shared vector, `done` reads safely.
inline void onEveryLoop(const std::vector<boost::asio::io_context*>& loops, std::function<void(size_t i)> each,
                        boost::asio::io_context& origin, std::function<void()> done) {
  struct Join {
    std::function<void(size_t)> each;
    std::function<void()> done;
    std::atomic<size_t> left;
    boost::asio::io_context* origin;
  };
  auto join = std::make_shared<Join>(std::move(each), std::move(done), loops.size(), &origin);
  if (loops.empty()) return boost::asio::post(origin, [join] { join->done(); });
  for (size_t i = 0; i < loops.size(); i++) {
    boost::asio::post(*loops[i], [join, i] {
      join->each(i);
      if (--join->left == 0) boost::asio::post(*join->origin, [join] { join->done(); });
    });
  }
}

}  // namespace wisp::server
