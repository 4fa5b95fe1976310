// Runtime unit tests run with the real global scope: register wisp's classes, start V8.
#include <gtest/gtest.h>

#include "api/global-scope.h"
#include "js/class.h"
#include "js/engine.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  wisp::api::registerClasses(wisp::js::Registry::get());
  wisp::js::Engine::init({});
  return RUN_ALL_TESTS();
}
