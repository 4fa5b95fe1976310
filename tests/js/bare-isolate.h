// The fixture of the binding layer's tests: a bare isolate (no snapshot, no Web APIs) with chosen
// classes of the binding layer on its global and an optional prelude script, and eval() of a
// script's value as a string.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "js/class.h"
#include "js/isolate.h"
#include "js/script.h"

namespace wisp::js {

class BareIsolateTest : public ::testing::Test {
 protected:
  // `globals`: each class's constructor under its name; then `prelude` runs.
  void createIsolate(std::vector<const ClassInfo*> globals, std::string prelude = "") {
    IsolateOptions o;
    o.fromSnapshot = false;
    o.install = [globals = std::move(globals), prelude = std::move(prelude)](Lock& js) {
      for (auto* cls : globals) {
        auto fn = js.check(js.data().templateFor(js.isolate(), *cls)->GetFunction(js.context()));
        js.set(js.context()->Global(), cls->name, fn);
      }
      if (!prelude.empty()) runScript(js, "prelude.js", prelude);
    };
    isolate = Isolate::create(o);
  }

  // Evaluates `source` and returns the result as a string (JSON for objects).
  std::string eval(const std::string& source) {
    return isolate->run([&](Lock& js) {
      auto v = runScript(js, "test.js", source);
      return v.isString() ? js.toString(v) : js.toJson(v);
    });
  }

  std::unique_ptr<Isolate> isolate;
};

}  // namespace wisp::js
