// Workers RPC serialization in the binding layer (src/js/rpc-serialize.cc) and shells
// (src/js/shell.cc): what crosses by value, what by reference (a capability index the hooks
// hand out), what is refused and with which text, and that hostile values and bytes end in
// ordinary exceptions. Bare isolates, hooks written in the test.
//
// Shares wisp-binding-test with binding-test.cc and serialize-test.cc (see serialize-test.cc on
// registration); each ctest runs one test in its own process.
#include <gtest/gtest.h>

#include "bare-isolate.h"
#include "js/class.h"
#include "js/engine.h"
#include "js/isolate.h"
#include "js/rpc-serialize.h"
#include "js/script.h"
#include "js/serialize.h"
#include "js/shell.h"

namespace wisp::js {
namespace {

// What the test scripts call: Rpc.write(value, hooks) -> Uint8Array, Rpc.read(bytes, caps, hooks),
// Rpc.shellClass(callable), Rpc.shell(cls, prototype, dispatcher).
class Rpc : public Object {
 public:
  static Value write(Lock& js, Value value, Value hooks) { return js.bytes(serializeForRpc(js, value, hooks)); }
  static Value read(Lock& js, Value bytes, Value capabilities, Value hooks) {
    return deserializeForRpc(js, js.toBytes(bytes), capabilities, hooks);
  }
  static Value shellClassOf(Lock& js, bool callable) { return shellClass(js, callable); }
  static Value shell(Lock& js, Value cls, Value prototype, Value dispatcher) {
    return newShell(js, cls, prototype, dispatcher);
  }
  static void define(ClassBuilder<Rpc>& c) {
    c.staticMethod<&Rpc::write>("write");
    c.staticMethod<&Rpc::read>("read");
    c.staticMethod<&Rpc::shellClassOf>("shellClass");
    c.staticMethod<&Rpc::shell>("shell");
  }
};

// Hooks as src/api/js/rpc/serialize.js makes them, reduced: each function, proxy, shell and
// instance of RpcTarget becomes the next capability index; the test keeps what was sent.
constexpr const char* kPrelude = R"js(
  class RpcTarget {}
  let sent = [];
  const hooks = {
    interfaceName: () => undefined,
    serialize: () => undefined,
    deserialize: (blank) => blank,
    capability(object, isProxy) {
      if (isProxy || typeof object === "function" || object instanceof RpcTarget || object.isShellForTest) {
        sent.push(isProxy ? "proxy" : object);
        return sent.length - 1;
      }
      return undefined;
    },
  };
  // Sends `value` and reads it back; each capability arrives as a marker object {cap: i}.
  function roundTrip(value) {
    sent = [];
    const bytes = Rpc.write(value, hooks);
    const caps = sent.map((_, i) => ({ cap: i }));
    return Rpc.read(bytes, caps, hooks);
  }
  const failure = (f) => { try { f(); return "no error"; } catch (e) { return e.name + ": " + e.message; } };
)js";

class RpcSerializeTest : public BareIsolateTest {
 protected:
  static void SetUpTestSuite() {
    auto& r = Registry::get();
    if (classInfo<Rpc>().id < 0) r.add<Rpc>("Rpc");
    if (classInfo<PlatformObject>().id < 0) r.add<PlatformObject>("PlatformObject");
    Engine::init({});
  }
  void SetUp() override { createIsolate({&classInfo<Rpc>()}, kPrelude); }
};

TEST_F(RpcSerializeTest, DataCrossesByValue) {
  EXPECT_EQ(eval("const o = {n: 1, s: 'x', d: new Date(5), m: new Map([[1, new Set([2])]]), b: 10n, u: new Uint8Array([7])};"
                 "o.self = o; const c = roundTrip(o);"
                 "[c !== o, c.self === c, c.d.getTime(), c.m.get(1).has(2), String(c.b), c.u[0], sent.length]"),
            "[true,true,5,true,\"10\",7,0]");
}

TEST_F(RpcSerializeTest, FunctionsProxiesAndRpcTargetsCrossByReference) {
  // Wherever they sit, each becomes a capability; a value seen twice is one capability.
  EXPECT_EQ(eval("const f = () => 1; const t = new RpcTarget();"
                 "const c = roundTrip({f, list: [f, t], map: new Map([['p', new Proxy({}, {})]])});"
                 "[sent.length, c.list[0] === c.f, sent[c.f.cap] === f, sent[c.list[1].cap] === t, sent[c.map.get('p').cap]]"),
            "[3,true,true,true,\"proxy\"]");
  // A top-level function, too.
  EXPECT_EQ(eval("roundTrip(function named() {}).cap"), "0");
  // The value sent is not changed (the copy holds the markers).
  EXPECT_EQ(eval("const v = {f() {}, n: 1}; roundTrip(v); [typeof v.f, Object.keys(v).join()]"), "[\"function\",\"f,n\"]");
}

TEST_F(RpcSerializeTest, ClassInstancesAndNullPrototypesAreRefused) {
  EXPECT_EQ(eval("class Point { x = 1 } failure(() => roundTrip({p: new Point()}))"),
            "DataCloneError: Could not serialize object of type \"Point\". This type does not support serialization.");
  EXPECT_EQ(eval("failure(() => roundTrip([Object.create(null)]))"),
            "DataCloneError: Could not serialize object of type \"Object\". This type does not support serialization.");
  // V8's own texts for what it refuses.
  EXPECT_EQ(eval("failure(() => roundTrip(Symbol('s')))"), "DataCloneError: Symbol(s) could not be cloned.");
  EXPECT_EQ(eval("failure(() => roundTrip({w: new WeakMap()}))"), "DataCloneError: #<WeakMap> could not be cloned.");
  EXPECT_EQ(eval("failure(() => roundTrip(Promise.resolve()))"), "DataCloneError: #<Promise> could not be cloned.");
}

TEST_F(RpcSerializeTest, ErrorsCrossWithoutTheSendersStack) {
  EXPECT_EQ(eval("const e = roundTrip({e: new RangeError('r'), u: new URIError('u')});"
                 "[e.e instanceof RangeError, e.e.message, e.u.name, String(e.e.stack).includes('test.js')]"),
            "[true,\"r\",\"URIError\",false]");
}

TEST_F(RpcSerializeTest, GettersRunOnce) {
  // Without capabilities V8 writes the value itself: the walk before it runs no getter.
  EXPECT_EQ(eval("let reads = 0; const g = {get x() { return ++reads; }}; const c = roundTrip(g); [reads, c.x]"),
            "[1,1]");
  // With one the value is copied first: the getter runs in the copy, and only there.
  EXPECT_EQ(eval("let n = 0; const h = {get x() { return ++n; }, f() {}}; const d = roundTrip(h); [n, d.x, d.f.cap]"),
            "[1,1,0]");
  // A getter that throws: its exception, and nothing sent.
  EXPECT_EQ(eval("failure(() => roundTrip({get boom() { throw new TypeError('no'); }}))"), "TypeError: no");
}

TEST_F(RpcSerializeTest, TheWalkEntersNoProxy) {
  EXPECT_EQ(eval("let trapped = false; const trap = () => { trapped = true; throw new Error('trap'); };"
                 "const p = new Proxy({}, {get: trap, ownKeys: trap, getPrototypeOf: trap, has: trap, getOwnPropertyDescriptor: trap});"
                 "[roundTrip({p}).p.cap, trapped]"),
            "[0,false]");
}

TEST_F(RpcSerializeTest, PrototypePollutionStaysData) {
  EXPECT_EQ(eval("const c = roundTrip(JSON.parse('{\"__proto__\": {\"polluted\": 1}, \"a\": [{\"__proto__\": {\"x\": 2}}]}'));"
                 "[Object.hasOwn(c, '__proto__'), Object.getPrototypeOf(c) === Object.prototype, ({}).polluted, ({}).x,"
                 " Object.hasOwn(c.a[0], '__proto__')]"),
            "[true,true,null,null,true]");
}

TEST_F(RpcSerializeTest, DeepAndHugeValuesEndInExceptions) {
  // Too deep for V8's serializer: a RangeError, not a crash (the walk and copy use no C++ recursion).
  EXPECT_EQ(eval("let v = []; for (let i = 0; i < 200000; i++) v = [v]; failure(() => roundTrip(v))"),
            "RangeError: Maximum call stack size exceeded");
  EXPECT_EQ(eval("let w = []; for (let i = 0; i < 200000; i++) w = [w]; failure(() => roundTrip({w, f() {}}))"),
            "RangeError: Maximum call stack size exceeded");
  // A huge sparse array costs what it holds, with or without a copy.
  EXPECT_EQ(eval("const a = []; a[2 ** 32 - 2] = 'last'; const c = roundTrip(a); [c.length, c[2 ** 32 - 2]]"),
            "[4294967295,\"last\"]");
  EXPECT_EQ(eval("const s = []; s[2 ** 32 - 2] = () => 1; const d = roundTrip(s); [d.length, d[2 ** 32 - 2].cap]"),
            "[4294967295,0]");
}

TEST_F(RpcSerializeTest, BadBytesAreRefused) {
  // Every truncation of a real message, and bytes that are not one: an exception each time
  // with V8's text "Unable to deserialize cloned data.", never a crash.
  EXPECT_EQ(eval("const bytes = Rpc.write({a: [1, 'two', new Map([[3, 4n]])], d: new Date(1), f() {}}, hooks);"
                 "let threw = 0;"
                 "for (let n = 0; n < bytes.length; n++) {"
                 "  try { Rpc.read(bytes.slice(0, n), [{}], hooks); } catch (e) { if (e.message.includes('deserialize')) threw++; }"
                 "}"
                 "for (const junk of [[0xff, 0x0f, 0x5c, 1, 1], [0xff, 0x0f, 0x5c, 2], [0xff, 0x0f, 0x6f, 0x7b, 200]]) {"
                 "  try { Rpc.read(new Uint8Array(junk), [], hooks); } catch (e) { threw++; }"
                 "}"
                 "threw === bytes.length + 3"),
            "true");
  // A capability index the message does not have.
  EXPECT_EQ(eval("sent = []; const b = Rpc.write(() => 1, hooks); failure(() => Rpc.read(b, [], hooks))"),
            "Error: Unable to deserialize cloned data.");
}

TEST_F(RpcSerializeTest, AFailingHookStopsTheWrite) {
  // What a hook throws for an object V8 hands to the delegate (a shell) ends the serialization,
  // with its exception; nothing is written.
  EXPECT_EQ(eval("const refused = Rpc.shell(Rpc.shellClass(false), Object.prototype, {get: () => undefined});"
                 "const throwing = {...hooks, capability() { throw new TypeError('not this one'); }};"
                 "failure(() => Rpc.write([1, refused, 2], throwing))"),
            "TypeError: not this one");
  // A shell the hooks do not know: the serializer's own refusal.
  EXPECT_EQ(eval("const unknown = Rpc.shell(Rpc.shellClass(false), Object.prototype, {get: () => undefined});"
                 "failure(() => Rpc.write({unknown}, hooks))"),
            "DataCloneError: Could not serialize object of type \"Object\". This type does not support serialization.");
  // The same for a hook met while copying (a function).
  EXPECT_EQ(eval("const throwing2 = {...hooks, capability() { throw new RangeError('no functions'); }};"
                 "failure(() => Rpc.write({f() {}}, throwing2))"),
            "RangeError: no functions");
}

TEST_F(RpcSerializeTest, ShellsAnswerUnknownNamesAndCalls) {
  EXPECT_EQ(eval("class Stub { known() { return 'known'; } }"
                 "const dispatcher = { get: (s, name) => name === 'then' ? undefined : 'got ' + name,"
                 "                     apply: (s, args) => 'called with ' + args.join() };"
                 "const s = Rpc.shell(Rpc.shellClass(true), Stub.prototype, dispatcher);"
                 "[s.anything, s.known(), s(1, 2), typeof s, s.then, 'anything' in s, Object.keys(s).length,"
                 " s.toString === Object.prototype.toString, s instanceof Stub]"),
            "[\"got anything\",\"known\",\"called with 1,2\",\"function\",null,false,0,true,true]");
  // Not callable: typeof object; V8's serializer hands it to the delegate, which asks the hooks.
  EXPECT_EQ(eval("const plain = Rpc.shell(Rpc.shellClass(false), {isShellForTest: true}, {get: () => undefined});"
                 "[typeof plain, roundTrip({plain}).plain.cap]"),
            "[\"object\",0]");
  // A callable shell is a capability, as a function is.
  EXPECT_EQ(eval("const c = Rpc.shell(Rpc.shellClass(true), Object.prototype, {get: () => 1, apply: () => 2});"
                 "roundTrip([c])[0].cap"),
            "0");
}

}  // namespace
}  // namespace wisp::js
