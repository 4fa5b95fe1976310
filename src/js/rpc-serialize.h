// Values crossing between isolates for Workers RPC: V8's ValueSerializer (as workerd uses it for
// RPC), plus capabilities: functions, RpcTarget instances, proxies and RPC stubs cross by
// reference, as an index into the message's list of capabilities that the JS half fills in.
//
// V8 10.2 refuses functions and proxies before its delegate sees them, and writes instances of
// JS classes as plain objects. So before V8 writes, a walk over the value (the parts V8 will
// read; no user code runs) looks for what V8 would get wrong: functions and other callables,
// proxies, instances of classes, errors. Only if it finds one is the value copied, each of
// those replaced (a capability by a marker the delegate writes as its index; an error by a
// fresh one of the same kind and message, without the sender's stack), and the copy written
// instead. The copy reads properties the way V8 would (getters run once, in the copy).
//
// What is refused, with workerd's texts (DataCloneError DOMExceptions):
//   instances of classes that are not RpcTargets and null-prototype objects
//       Could not serialize object of type "Foo". This type does not support serialization.
//   symbols, promises, weak collections, ...: V8's "X could not be cloned."
#pragma once

#include <string>
#include <string_view>

#include "js/lock.h"
#include "js/value.h"

namespace wisp::js {

// hooks (src/api/js/rpc/serialize.js):
//   interfaceName(proto), serialize(object), deserialize(blank, data)   as structuredClone's
//                                    (platform objects such as Blob and DOMException)
//   capability(object, isProxy) -> index | undefined   a function, proxy, shell or class
//                                    instance was found: its index in the message's capability
//                                    list, or undefined when it cannot cross (C++ throws the
//                                    DataCloneError)
// The serializer's buffer never grows past kMaxSerializedBytes (it is outside the V8 heap, so
// outside the Worker's memory limit): a larger value throws the RPC size error ("more than").
std::string serializeForRpc(Lock& js, Value value, Value hooks);
constexpr size_t kMaxSerializedBytes = 128u << 20;

// `capabilities`: an Array; the i-th capability of the message becomes capabilities[i] (each an
// object). Platform objects are rebuilt through hooks.deserialize once V8 is done.
Value deserializeForRpc(Lock& js, std::string_view bytes, Value capabilities, Value hooks);

}  // namespace wisp::js
