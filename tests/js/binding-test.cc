// The binding layer: classes declared once in C++ behave as Web IDL says in JS.
// Runs in isolates without the startup snapshot, with test-only classes registered.
#include <gtest/gtest.h>

#include "bare-isolate.h"
#include "js/class.h"
#include "js/engine.h"
#include "js/isolate.h"
#include "js/script.h"

namespace wisp::js {
namespace {

int gCountersAlive = 0;

class Counter : public Object {
 public:
  struct Options {
    int32_t step = 1;
    std::string label;
    static void fields(Fields<Options>& f) {
      f("step", &Options::step);
      f("label", &Options::label);
    }
  };
  explicit Counter(int32_t start, Options o) : value_(start), options_(std::move(o)) { gCountersAlive++; }
  ~Counter() override { gCountersAlive--; }

  static Ref<Counter> constructor(std::optional<int32_t> start, std::optional<Options> o) {
    return make<Counter>(start.value_or(0), o.value_or(Options{}));
  }
  static Ref<Counter> zero() { return make<Counter>(0, Options{}); }
  void add(std::optional<int32_t> n) { value_ += n.value_or(options_.step); }
  int32_t value() const { return value_; }
  int32_t step() const { return options_.step; }
  void setStep(int32_t s) {
    if (s <= 0) throw RangeError("step must be positive");
    options_.step = s;
  }
  std::string label() const { return options_.label; }
  Ref<Counter> self() { return Ref<Counter>(this); }
  double sum(std::vector<double> xs) {
    double t = 0;
    for (double x : xs) t += x;
    return t;
  }
  uint32_t byteCount(BufferSource b) { return static_cast<uint32_t>(b.bytes.size()); }
  std::vector<uint8_t> bytes() { return {1, 2, 3}; }
  std::optional<std::string> maybe(bool give) { return give ? std::optional<std::string>("yes") : std::nullopt; }
  void fail(std::string kind) {
    if (kind == "type") throw TypeError("bad type");
    if (kind == "dom") throw DOMException("InvalidStateError", "bad state");
    throw std::runtime_error("plain C++ failure");
  }

  static void define(ClassBuilder<Counter>& c) {
    c.constructor<&Counter::constructor>();
    c.staticMethod<&Counter::zero>("zero");
    c.method<&Counter::add>("add");
    c.getter<&Counter::value>("value");
    c.accessor<&Counter::step, &Counter::setStep>("step");
    c.getter<&Counter::label>("label");
    c.method<&Counter::self>("self");
    c.method<&Counter::sum>("sum");
    c.method<&Counter::byteCount>("byteCount");
    c.method<&Counter::bytes>("bytes");
    c.method<&Counter::maybe>("maybe");
    c.method<&Counter::fail>("fail");
    c.constant("MAX", 100);
  }

 private:
  int32_t value_;
  Options options_;
};

class Animal : public Object {
 public:
  static Ref<Animal> constructor(std::string name) { return make<Animal>(std::move(name)); }
  explicit Animal(std::string name) : name_(std::move(name)) {}
  std::string name() const { return name_; }
  static void define(ClassBuilder<Animal>& c) {
    c.constructor<&Animal::constructor>();
    c.getter<&Animal::name>("name");
  }

 protected:
  std::string name_;
};

class Dog : public Animal {
 public:
  using Animal::Animal;
  static Ref<Dog> constructor(std::string name) { return make<Dog>(std::move(name)); }
  std::string bark() const { return name_ + " says woof"; }
  static void define(ClassBuilder<Dog>& c) {
    c.inherit<Animal>();
    c.constructor<&Dog::constructor>();
    c.method<&Dog::bark>("bark");
  }
};

class NoConstructor : public Object {
 public:
  static void define(ClassBuilder<NoConstructor>&) {}
};

class BindingTest : public BareIsolateTest {
 protected:
  static void SetUpTestSuite() {
    auto& r = Registry::get();
    if (r.classes().empty()) {
      r.add<Counter>("Counter");
      r.add<Animal>("Animal");
      r.add<Dog>("Dog");
      r.add<NoConstructor>("NoConstructor");
    }
    Engine::init({});
  }
  void SetUp() override {
    createIsolate(std::vector<const ClassInfo*>(Registry::get().classes().begin(), Registry::get().classes().end()));
  }
};

TEST_F(BindingTest, ConstructorsMethodsAndAccessors) {
  EXPECT_EQ(eval("const c = new Counter(5); c.add(); c.add(10); c.value"), "16");
  EXPECT_EQ(eval("const d = new Counter(1, {step: 3}); d.add(); d.step = 4; d.add(); [d.value, d.step]"), "[8,4]");
  EXPECT_EQ(eval("Counter.zero().value"), "0");
  EXPECT_EQ(eval("[Counter.MAX, new Counter().MAX]"), "[100,100]");
  EXPECT_EQ(eval("Counter.length"), "0");  // both arguments optional
  EXPECT_EQ(eval("Animal.length"), "1");
  EXPECT_EQ(eval("new Counter(0, {label: 42}).label"), "42");  // DOMString conversion
}

TEST_F(BindingTest, ConversionsFollowWebIdl) {
  EXPECT_EQ(eval("new Counter().sum([1, 2.5, '3'])"), "6.5");
  EXPECT_EQ(eval("new Counter().byteCount(new Uint16Array(4))"), "8");
  EXPECT_EQ(eval("new Counter().byteCount(new ArrayBuffer(3))"), "3");
  EXPECT_EQ(eval("Array.from(new Counter().bytes())"), "[1,2,3]");
  EXPECT_EQ(eval("new Counter().bytes() instanceof Uint8Array"), "true");
  EXPECT_EQ(eval("[new Counter().maybe(true), new Counter().maybe(false)]"), "[\"yes\",null]");
  EXPECT_EQ(eval("try { new Counter().byteCount('x'); 'no' } catch (e) { e.constructor.name + ': ' + e.message }"),
            "TypeError: Failed to execute 'byteCount' on 'Counter': argument is not of type '(ArrayBuffer or "
            "ArrayBufferView)'.");
  EXPECT_EQ(eval("try { new Counter().sum(5); 'no' } catch (e) { e.constructor.name }"), "TypeError");
}

TEST_F(BindingTest, ErrorsBecomeTheRightJsErrors) {
  EXPECT_EQ(eval("try { new Counter().fail('type') } catch (e) { [e instanceof TypeError, e.message] }"),
            "[true,\"bad type\"]");
  EXPECT_EQ(eval("try { new Counter().step = 0 } catch (e) { [e instanceof RangeError, e.message] }"),
            "[true,\"step must be positive\"]");
  EXPECT_EQ(eval("try { new Counter().fail('dom') } catch (e) { [e.name, e.message] }"),
            "[\"InvalidStateError\",\"bad state\"]");
  EXPECT_EQ(eval("try { new Counter().fail('other') } catch (e) { e.message }"),
            "Internal error: plain C++ failure");
  EXPECT_EQ(eval("try { Counter() } catch (e) { e.message }"),
            "Failed to construct 'Counter': Please use the 'new' operator, this object constructor cannot be "
            "called as a function.");
  EXPECT_EQ(eval("try { new NoConstructor() } catch (e) { e.message }"), "Illegal constructor");
}

TEST_F(BindingTest, ReceiverIsCheckedSoNoTypeConfusion) {
  EXPECT_EQ(eval("try { Reflect.apply(Counter.prototype.add, new Dog('rex'), []) } catch (e) { e.constructor.name }"),
            "TypeError");
  EXPECT_EQ(eval("try { Object.getOwnPropertyDescriptor(Counter.prototype, 'value').get.call({}) } catch (e) { "
                 "e.constructor.name }"),
            "TypeError");
  EXPECT_EQ(eval("try { Dog.prototype.bark.call(new Animal('cat')) } catch (e) { e.constructor.name }"), "TypeError");
}

TEST_F(BindingTest, InheritanceAndSubclassing) {
  EXPECT_EQ(eval("const d = new Dog('rex'); [d instanceof Animal, d.name, d.bark()]"),
            "[true,\"rex\",\"rex says woof\"]");
  EXPECT_EQ(eval("class Puppy extends Dog { yip() { return this.bark() + '!' } } new Puppy('bo').yip()"),
            "bo says woof!");
}

TEST_F(BindingTest, WrapperIdentityIsStable) {
  EXPECT_EQ(eval("const c = new Counter(); c.extra = 1; c.self() === c && c.self().extra === 1"), "true");
}

TEST_F(BindingTest, JsExceptionsReachCppWithLocation) {
  try {
    eval("\n  function f() { throw new RangeError('deep'); }\n  f();");
    FAIL() << "expected a JsException";
  } catch (const JsException& e) {
    EXPECT_EQ(e.name(), "RangeError");
    EXPECT_EQ(e.message(), "deep");
    EXPECT_EQ(e.location(), "test.js:2:18");
    EXPECT_NE(e.stack().find("at f (test.js:2:"), std::string::npos);
  }
  try {
    eval("throw 'a string'");
    FAIL();
  } catch (const JsException& e) {
    EXPECT_EQ(e.message(), "a string");
  }
}

TEST_F(BindingTest, ObjectsAreFreedWithTheirWrappers) {
  int before = gCountersAlive;
  eval("for (let i = 0; i < 100; i++) new Counter(i);");
  EXPECT_GE(gCountersAlive, before);
  isolate->run([&](Lock& js) { js.isolate()->LowMemoryNotification(); });
  EXPECT_LT(gCountersAlive, before + 100);
  isolate.reset();  // the rest go with the isolate
  EXPECT_EQ(gCountersAlive, 0);
}

}  // namespace
}  // namespace wisp::js
