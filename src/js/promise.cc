#include "js/promise.h"

#include <memory>
#include <vector>

#include "js/isolate.h"

namespace wisp::js {
namespace {

// The two reactions share one state; each JS function owns a Holder, freed when V8 collects
// that function (in the weak callback's second pass, since freeing may touch other handles).
struct Reactions {
  Reaction onFulfilled, onRejected;
};
struct Holder final : Finalizable {
  std::shared_ptr<Reactions> reactions;
  v8::Global<v8::Function> fn;
};

template <bool Fulfilled>
void react(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto* holder = static_cast<Holder*>(info.Data().As<v8::External>()->Value());
  auto r = holder->reactions;
  Lock js = Lock::current(info.GetIsolate());
  Reaction callback = std::move(Fulfilled ? r->onFulfilled : r->onRejected);
  r->onFulfilled = nullptr;  // each pair of reactions runs at most once
  r->onRejected = nullptr;
  if (!callback) return;
  try {
    callback(js, Value(info[0]));
  } catch (const JsError& e) {
    js.throwError(e);
  } catch (const Pending&) {
  }
}

void collected(const v8::WeakCallbackInfo<Holder>& info) {
  info.GetParameter()->fn.Reset();
  info.SetSecondPassCallback([](const v8::WeakCallbackInfo<Holder>& second) {
    IsolateData::of(second.GetIsolate()).disown(second.GetParameter());
    delete second.GetParameter();
  });
}

v8::Local<v8::Function> reactionFunction(Lock& js, v8::FunctionCallback cb, std::shared_ptr<Reactions> r) {
  auto holder = std::make_unique<Holder>();
  holder->reactions = std::move(r);
  auto fn = js.check(v8::Function::New(js.context(), cb, v8::External::New(js.isolate(), holder.get()), 1));
  holder->fn.Reset(js.isolate(), fn);
  auto* raw = holder.release();
  IsolateData::of(js.isolate()).own(raw);
  raw->fn.SetWeak(raw, &collected, v8::WeakCallbackType::kParameter);
  return fn;
}

}  // namespace

void then(Lock& js, Value promise, Reaction onFulfilled, Reaction onRejected) {
  auto r = std::make_shared<Reactions>();
  r->onFulfilled = std::move(onFulfilled);
  r->onRejected = std::move(onRejected);
  auto ok = reactionFunction(js, &react<true>, r);
  auto fail = reactionFunction(js, &react<false>, r);
  v8::Local<v8::Promise> p;
  if (promise.local()->IsPromise()) {
    p = promise.local().As<v8::Promise>();
  } else {
    auto resolver = js.check(v8::Promise::Resolver::New(js.context()));
    js.check(resolver->Resolve(js.context(), promise.local()));
    p = resolver->GetPromise();
  }
  js.check(p->Then(js.context(), ok, fail));
}

PromiseState promiseState(Value promise) {
  if (!promise.local()->IsPromise()) return PromiseState::Fulfilled;
  switch (promise.local().As<v8::Promise>()->State()) {
    case v8::Promise::kPending: return PromiseState::Pending;
    case v8::Promise::kFulfilled: return PromiseState::Fulfilled;
    case v8::Promise::kRejected: return PromiseState::Rejected;
  }
  return PromiseState::Pending;
}

Value promiseResult(Value promise) {
  if (!promise.local()->IsPromise()) return promise;
  return Value(promise.local().As<v8::Promise>()->Result());
}

Value callInternal(Lock& js, const char* name, std::initializer_list<Value> args) {
  auto& internals = js.data().internals;
  if (internals.IsEmpty()) throw Error("internal: runtime internals missing");
  auto obj = internals.Get(js.isolate());
  auto fn = js.get(obj, name);
  if (!fn->IsFunction()) throw Error(std::string("internal: runtime function '") + name + "' missing");
  std::vector<v8::Local<v8::Value>> argv;
  for (auto& a : args) argv.push_back(a.local());
  return Value(js.check(fn.As<v8::Function>()->Call(js.context(), obj, static_cast<int>(argv.size()), argv.data())));
}

}  // namespace wisp::js
