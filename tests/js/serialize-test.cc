// structuredClone in the binding layer (src/js/serialize.cc): platform objects implemented in JS
// (found by the walk before V8 writes, or host objects handed to the delegate), transfer, and
// that the walk runs no user code. Bare isolates, hooks written in the test.
//
// Shares wisp-binding-test with binding-test.cc, whose suite registers its classes only into an
// empty registry: gtest runs that suite first (files link in name order), and each ctest runs
// one test in its own process.
#include <gtest/gtest.h>

#include "bare-isolate.h"
#include "js/class.h"
#include "js/engine.h"
#include "js/isolate.h"
#include "js/script.h"
#include "js/serialize.h"

namespace wisp::js {
namespace {

// What the test scripts call: Native.clone(value, transfer, hooks),
// Native.platformObject(prototype), and Native.wrapped() (a C++ object wrapped for JS).
class Native : public Object {
 public:
  static Ref<Native> wrapped() { return make<Native>(); }
  static Value clone(Lock& js, Value value, Value transfer, Value hooks) {
    return structuredClone(js, value, transfer, hooks);
  }
  static Value platformObject(Lock& js, Value prototype) { return newPlatformObject(js, prototype); }
  static void define(ClassBuilder<Native>& c) {
    c.staticMethod<&Native::clone>("clone");
    c.staticMethod<&Native::platformObject>("platformObject");
    c.staticMethod<&Native::wrapped>("wrapped");
  }
};

// A JS platform object (Point: serialisable, as a host object) and an ordinary one (Opaque:
// not serialisable, named by the interfaceName hook), as src/api/js/structured-clone.js makes them.
constexpr const char* kPrelude = R"js(
  class Opaque { constructor() { this.visible = 1; } }
  const points = new WeakMap();
  function Point(x, y) {
    const self = Native.platformObject(new.target.prototype);
    points.set(self, { x, y });
    return self;
  }
  Point.prototype.sum = function () { const p = points.get(this); return p.x + p.y; };
  const hooks = {
    interfaceName: (proto) => proto === Opaque.prototype ? "Opaque" : proto === Point.prototype ? "Point" : undefined,
    serialize: (object) => points.has(object) ? ["Point", points.get(object)] : undefined,
    // Builds into the blank host object V8 placed in the clone.
    deserialize: (blank, [tag, { x, y }]) => {
      Object.setPrototypeOf(blank, Point.prototype);
      points.set(blank, { x, y });
      return blank;
    },
  };
  const clone = (value, transfer = []) => Native.clone(value, transfer, hooks);
  const failure = (f) => { try { f(); return "no error"; } catch (e) { return e.name + ": " + e.message; } };
)js";

class SerializeTest : public BareIsolateTest {
 protected:
  static void SetUpTestSuite() {
    auto& r = Registry::get();
    if (classInfo<Native>().id < 0) r.add<Native>("Native");
    if (classInfo<PlatformObject>().id < 0) r.add<PlatformObject>("PlatformObject");
    Engine::init({});
  }
  void SetUp() override { createIsolate({&classInfo<Native>()}, kPrelude); }
};

TEST_F(SerializeTest, OrdinaryValuesCloneDeeply) {
  EXPECT_EQ(eval("const o = {a: [1, {b: 'c'}], m: new Map([[1, new Set([2])]])}; o.self = o;"
                 "const c = clone(o); [c !== o, c.self === c, c.a[1].b, c.m.get(1).has(2)]"),
            "[true,true,\"c\",true]");
}

TEST_F(SerializeTest, PlatformObjectsWithoutStepsThrowDataCloneError) {
  EXPECT_EQ(eval("failure(() => clone(new Opaque()))"), "DataCloneError: Opaque object could not be cloned.");
  // Wherever they sit in the value.
  EXPECT_EQ(eval("failure(() => clone([1, {deep: [new Opaque()]}]))"),
            "DataCloneError: Opaque object could not be cloned.");
  EXPECT_EQ(eval("failure(() => clone(new Map([['k', new Opaque()]])))"),
            "DataCloneError: Opaque object could not be cloned.");
  EXPECT_EQ(eval("failure(() => clone(new Set([new Opaque()])))"),
            "DataCloneError: Opaque object could not be cloned.");
  EXPECT_EQ(eval("class Sub extends Opaque {} failure(() => clone({x: new Sub()}))"),
            "DataCloneError: Opaque object could not be cloned.");
  // An ordinary object that only looks like one is cloned as usual.
  EXPECT_EQ(eval("JSON.stringify(clone({visible: 1}))"), "{\"visible\":1}");
}

TEST_F(SerializeTest, SerialisablePlatformObjectsRoundTrip) {
  EXPECT_EQ(eval("const p = new Point(2, 3); const q = clone(p);"
                 "[q !== p, q.sum(), Object.getPrototypeOf(q) === Point.prototype]"),
            "[true,5,true]");
  // Identity inside the value is kept, as for any object.
  EXPECT_EQ(eval("const p2 = new Point(1, 1); const r = clone([p2, p2, {p: p2}]); [r[0] === r[1], r[2].p === r[0]]"),
            "[true,true]");
  // A host object whose steps are missing (hooks.serialize gives undefined) is refused.
  EXPECT_EQ(eval("failure(() => clone(Native.platformObject(Object.prototype)))"),
            "DataCloneError: The object could not be cloned.");
}

TEST_F(SerializeTest, WrappedCppObjectsAreNotCloneable) {
  EXPECT_EQ(eval("failure(() => clone({n: Native.wrapped()}))"), "DataCloneError: Native object could not be cloned.");
}

TEST_F(SerializeTest, TheWalkRunsNoUserCode) {
  // A getter runs once (when V8 writes the object), not also during the walk.
  EXPECT_EQ(eval("let reads = 0; const g = {get x() { reads++; return [1]; }}; const gc = clone(g); [reads, gc.x]"),
            "[1,[1]]");
  // A proxy's traps never run; V8 refuses the proxy.
  EXPECT_EQ(eval("let trapped = false; const p = new Proxy({}, {ownKeys() { trapped = true; return []; },"
                 "  getPrototypeOf() { trapped = true; return null; }});"
                 "[failure(() => clone({p})), trapped]"),
            "[\"DataCloneError: #<Object> could not be cloned.\",false]");
}

TEST_F(SerializeTest, TransferDetachesArrayBuffers) {
  EXPECT_EQ(eval("const b = new Uint8Array([1, 2]).buffer; const c = clone({b}, [b]);"
                 "[b.byteLength, Array.from(new Uint8Array(c.b))]"),
            "[0,[1,2]]");
  EXPECT_EQ(eval("const d = new ArrayBuffer(1); failure(() => clone(d, [d, d]))"),
            "DataCloneError: ArrayBuffer at index 1 is a duplicate of an earlier ArrayBuffer.");
  EXPECT_EQ(eval("failure(() => clone(1, [{}]))"),
            "DataCloneError: Value at index 0 does not have a transferable type.");
  EXPECT_EQ(eval("const e = new ArrayBuffer(1); clone(e, [e]); failure(() => clone(e, [e]))"),
            "DataCloneError: ArrayBuffer at index 0 is already detached.");
  // A clone that fails leaves the buffers as they were.
  EXPECT_EQ(eval("const f = new ArrayBuffer(4); failure(() => clone([f, () => {}], [f])); f.byteLength"), "4");
}

}  // namespace
}  // namespace wisp::js
