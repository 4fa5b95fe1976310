#!/usr/bin/env python3
"""Workers RPC between a host Worker and its dynamic Workers on `wisp serve`: every route of
tests/e2e/hosts/loader-rpc, each answer checked line by line. The routes workerd answers too are
also compared with workerd by differential_test.py; the others cover what only wisp does (env
holding functions and RpcTargets), what a hostile sandbox can and cannot do to its host,
re-entrancy, disposal and limits. docs/rpc.md describes the design.

  rpc_test.py WISP"""
import os
import sys

from wisp_server import Cases, Server

HERE = os.path.dirname(os.path.abspath(__file__))
WISP = sys.argv[1]
HOST = os.path.join(HERE, "hosts", "loader-rpc")

DATA_CLONE = "err DOMException DataCloneError: "
NOT_SERIALIZABLE = 'Could not serialize object of type "{}". This type does not support serialization.'
DYNAMIC = ("Entrypoints to dynamically-loaded workers cannot be transferred to other Workers, because the system "
           "does not know how to reload this Worker from scratch. Instead, have the parent Worker expose an "
           "entrypoint which constructs the dynamic worker and forwards to it.")
PROXY = ("Proxy could not be serialized because it is not a valid RPC receiver type. The Proxy must emulate either a "
         "plain object or an RpcTarget, as indicated by the Proxy's prototype chain.")
ARITY = ('Cannot call handler function "{}" over RPC because it has the wrong number of arguments. A simple function '
         "handler can only be called over RPC if it has exactly the arguments (arg, env, ctx), where only the first "
         "argument comes from the client. To support multi-argument RPC functions, use class-based syntax (extending "
         "WorkerEntrypoint) instead.")
ONE_ARGUMENT = ('Attempted to call RPC function "{}" with the wrong number of arguments. When calling a top-level '
                "handler function that is not declared as part of a class, you must always send exactly one argument. "
                "In order to support variable numbers of arguments, the server must use class-based syntax (extending "
                "WorkerEntrypoint) instead.")
TOO_BIG = "Serialized RPC arguments or return values are limited to 32MiB, but the size of this value was: {} bytes."
NOT_IMPLEMENTED = 'TypeError: The RPC receiver does not implement the method "{}".'

EXPECTED = {
    "/entrypoint-methods": [
        "add: ok 3",
        'props: ok {"tenant":"t1"}',
        "later: ok 42",
        'getter: ok "computed"',
        "prototypeValue: ok 17",
        'shapes: ok "object function undefined function"',
        'fetch: ok "fetched /path"',
    ],
    "/plain-entrypoints": [
        'single: ok ["A","object","function",{"p":2}]',
        "pair: err TypeError TypeError: " + ARITY.format("pair") + " remote",
        "none: err TypeError TypeError: " + ONE_ARGUMENT.format("none") + " remote",
        "tooMany: err TypeError TypeError: " + ONE_ARGUMENT.format("single") + " remote",
        "value: ok 3",
        'valueCalled: err TypeError TypeError: "value" is not a function. remote',
        'defaultHello: ok "hello x"',
    ],
    "/errors": [
        "typeError: err TypeError TypeError: bad argument remote",
        "string: err Error Error: a plain string remote",
        'custom: ok "QuotaError custom code=42 remote=true"',
        "missing: err TypeError " + NOT_IMPLEMENTED.format("noSuchMethod") + " remote",
        "ownField: err TypeError " + NOT_IMPLEMENTED.format("ownField") + " remote",
        'notAFunction: err TypeError TypeError: "shared" is not a function. remote',
        "reservedDup: err TypeError TypeError: 'dup' is a reserved method and cannot be called over RPC. remote",
        "missingEntrypoint: err Error Error: Worker has no such entrypoint: Nope",
    ],
    "/structured-clone": [
        "date: ok Date(0)",
        'map: ok Map([["k",1]])',
        "set: ok Set([1,2])",
        "bigint: ok 1180591620717411303424n",
        "undefined: ok undefined",
        "nan: ok NaN",
        "bytes: ok Uint8Array(1,2,3)",
        'regexp: ok "/a+b/gi"',
        "error: ok RangeError(RangeError: out of range)",
        "cycle: ok true",
        "shared: ok true",
        'sparse: ok "1000001 1"',
        "argumentsCopied: ok 1",
    ],
    "/not-serializable": [
        "classInstance: " + DATA_CLONE + NOT_SERIALIZABLE.format("Point"),
        "nullPrototype: " + DATA_CLONE + NOT_SERIALIZABLE.format("Object"),
        "symbol: " + DATA_CLONE + "Symbol(s) could not be cloned.",
        "promise: " + DATA_CLONE + "#<Promise> could not be cloned.",
        "proxyOfArray: " + DATA_CLONE + PROXY,
        "workerStub: " + DATA_CLONE + NOT_SERIALIZABLE.format("WorkerStub"),
        "dynamicEntrypoint: " + DATA_CLONE + DYNAMIC,
        "resultClassInstance: " + DATA_CLONE + NOT_SERIALIZABLE.format("Point") + " remote",
        "resultNullPrototype: " + DATA_CLONE + NOT_SERIALIZABLE.format("Object") + " remote",
    ],
    "/stubs": [
        'rpcTarget: ok "8 function [object JsRpcStub]"',
        "rpcTargetOwnField: err TypeError " + NOT_IMPLEMENTED.format("count") + " remote",
        "function: ok 15",
        'nestedFunction: ok "n 8 3"',
        "callback: ok 15",
        "asyncCallback: ok [10,20]",
        "callbackThrows: err RangeError RangeError: from the host remote",
        'callbackTypeInCallee: ok "function [object JsRpcStub]"',
        'hostTargetInCallee: ok "function [object JsRpcStub]"',
        'proxyOfObject: ok "function [object JsRpcStub]"',
        "stubBackToOwner: ok 11",
        'stubToAThirdWorker: ok "110 110"',
        'echoFunction: ok "function"',
    ],
    "/pipelining": [
        "method: ok 4",
        "getter: ok 7",
        "function: ok 3",
        "nested: ok 42",
        "nestedProperty: ok 3",
        "onPrimitive: err TypeError " + NOT_IMPLEMENTED.format("toFixed") + " remote",
        "afterFailure: err TypeError TypeError: bad argument remote",
        'promiseShape: ok "function false [object JsRpcPromise]"',
        # The pipelined call ran in the callee before the caller had the first answer.
        'oneRoundTrip: ok "increment, caller has the answer"',
    ],
    "/disposal": [
        "afterDispose: err Error Error: RPC stub used after being disposed.",
        "dup: ok 2",
        'resultDisposer: ok "function"',
    ],
    "/size-limit": [
        "result: err Error Error: " + TOO_BIG.format(34603015) + " remote",
        "argument: err Error Error: " + TOO_BIG.format(34603020),
        "under: ok 1048576",
    ],
    "/env": [
        'describe: ok "API=[object Fetcher] BIG=[object BigInt] BYTES=[object Uint8Array] MAP=[object Map] '
        'WHEN=[object Date]"',
        'values: ok [5,"v","42n",4]',
        'callHost: ok [{"tenant":"t9"},5]',
        'fetchHost: ok "200 host api /x {\\"tenant\\":\\"t9\\"}"',
        "reenter: ok [7,14]",
    ],
    "/env-refused": [
        "uninvokedLoopback: " + DATA_CLONE + NOT_SERIALIZABLE.format("LoopbackServiceStub"),
        "dynamicEntrypoint: " + DATA_CLONE + DYNAMIC,
        "classInstance: " + DATA_CLONE + NOT_SERIALIZABLE.format("K"),
        "notAnObject: err TypeError TypeError: Incorrect type for the 'env' field on 'WorkerCode': the provided value "
        "is not of type 'Object'.",
        "tooBig: err Error Error: Dynamic Worker env size (1048588 bytes) exceeds the maximum allowed size of 1048576 "
        "bytes.",
        'justUnder: ok "loaded"',
    ],
    "/props": [
        'structured: ok {"when":"1970-01-01T00:00:00.001Z","set":{}}',
        'loopback: ok "object"',
        "classInstance: " + DATA_CLONE + NOT_SERIALIZABLE.format("K"),
    ],
    # wisp only: env may hold functions and RpcTargets (workerd refuses them in env).
    "/env-functions": [
        "function: ok 42",
        'rpcTarget: ok "tool:x"',
    ],
    "/hostile-results": [
        'getter: ok "1 1 true"',
        "throwingGetter: err RangeError RangeError: getter threw remote",
        'proxy: ok "function trap anything"',
        "proxyOfArray: " + DATA_CLONE + PROXY + " remote",
        'conversions: ok "function function 1 1"',
        "toStringIsAStub: err TypeError TypeError: Cannot convert object to primitive value",
        'pollution: ok "true true  true true"',
        'sandboxRewroteItsRealm: ok {"list":[1,2],"when":"1970-01-01T00:00:00.003Z"}',
        'cycle: ok "true true true"',
        "deep: err RangeError RangeError: Maximum call stack size exceeded remote",
        "notTooDeep: ok 1000",
        'hugeSparse: ok "4294967295 1 last"',
        "hugeDense: ok 1000000",
        "hugeString: err Error Error: Serialized RPC arguments or return values are limited to 32MiB, but the size of "
        "this value was more than 134217728 bytes. remote",
        "memoryLimit: err Error Error: Worker exceeded memory limit.",
        "weakMap: " + DATA_CLONE + "#<WeakMap> could not be cloned. remote",
        'symbolKeyed: ok {"kept":2}',
        "throwsProxy: err Error Error: [object Object] remote",
        "throwsNull: err Error Error: null remote",
        "throwsHostileError: err Error Error: The RPC method threw a value that cannot be described. remote",
        'throwsErrorWithHostileProperty: ok "TypeError typed 5 function"',
        'hostileArguments: ok "from a getter from a getter 1 function"',
        "host realm unchanged: true",
    ],
    "/hostile-reach": [
        # What the sandbox's own objects answer, without asking the host.
        "TypeError: TOOL.__proto__.use is not a function",
        "TypeError: API.__proto__.add is not a function",
        "TypeError",
        "TypeError: Illegal constructor",
        "true",
        # What the host refuses.
        NOT_IMPLEMENTED.format("__proto__"),
        NOT_IMPLEMENTED.format("__proto__"),
        NOT_IMPLEMENTED.format("tag"),
        NOT_IMPLEMENTED.format("call"),
        NOT_IMPLEMENTED.format("ctx"),
        NOT_IMPLEMENTED.format("env"),
        NOT_IMPLEMENTED.format("prototype"),
        NOT_IMPLEMENTED.format("call"),
        "ok 2",
        "host realm unchanged: true true",
    ],
    "/reentrancy": ["tenDeep: ok 10"],
    "/target-disposed": ["pong ping disposed"],
    "/keep-stub": ["now: ok 2"],
    "/use-kept-stub": ["later: err Error Error: RPC stub used after being disposed."],
    "/limits": [
        "spin: err Error Error: Worker exceeded CPU time limit.",
        "after: ok 4",
    ],
}


def main():
    cases = Cases()
    server = Server(WISP, HOST)
    try:
        for path, want in EXPECTED.items():  # in order: /use-kept-stub follows /keep-stub

            def check(path=path, want=want):
                status, body = server.get(path)
                assert status == 200, f"{status} {body}"
                got = body.split("\n")
                for i, (g, w) in enumerate(zip(got, want)):
                    assert g == w, f"line {i + 1}:\n  got:  {g!r}\n  want: {w!r}"
                assert len(got) == len(want), f"{len(got)} lines, want {len(want)}:\n{body}"

            check.__name__ = path
            cases.case(check)
    finally:
        cases.report(server)


main()
