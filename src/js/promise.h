// Promises seen from C++: attach native reactions to a JS promise.
#pragma once

#include <functional>

#include "js/lock.h"
#include "js/value.h"

namespace wisp::js {

using Reaction = std::function<void(Lock&, Value)>;

// Calls onFulfilled or onRejected when `promise` (any value; non-promises count as fulfilled)
// settles. The reactions are owned by the JS functions V8 holds, so they are freed with them.
void then(Lock& js, Value promise, Reaction onFulfilled, Reaction onRejected);

enum class PromiseState { Pending, Fulfilled, Rejected };
PromiseState promiseState(Value promise);
Value promiseResult(Value promise);

// Calls a method of the runtime's internal JS object (see src/api/js/index.js).
Value callInternal(Lock& js, const char* name, std::initializer_list<Value> args);

}  // namespace wisp::js
