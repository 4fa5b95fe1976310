// The classes of the built-in module "cloudflare:workers". Dispatching a request to an export
// is covered end to end by the CLI tests.
import { assert, assertEquals, assertThrows } from "wisp:test";
import { WorkerEntrypoint, DurableObject, RpcTarget, WorkflowEntrypoint, env, RpcStub, RpcPromise, RpcProperty,
         ServiceStub } from "cloudflare:workers";

export function entrypointsKeepCtxAndEnv() {
  for (const Base of [WorkerEntrypoint, DurableObject, WorkflowEntrypoint]) {
    const ctx = {};
    const bindings = { KEY: "value" };
    const instance = new Base(ctx, bindings);
    assert(instance.ctx === ctx && instance.env === bindings, Base.name);
  }
}

export function subclassesWork() {
  class Api extends WorkerEntrypoint {
    fetch() { return this.env.greeting; }
  }
  assertEquals(new Api({}, { greeting: "hi" }).fetch(), "hi");
  class Counter extends DurableObject {}
  assert(new Counter({}, {}) instanceof DurableObject);
  class Handle extends RpcTarget {}
  assert(new Handle() instanceof RpcTarget);
}

export function envIsAnObject() {
  assertEquals(typeof env, "object");
}

// The stubs' classes are there for `instanceof` (capnweb's Workers build relies on them); only the
// runtime makes stubs.
export function stubClassesAreExportedButNotConstructible() {
  for (const [Class, name] of [[RpcStub, "JsRpcStub"], [RpcPromise, "JsRpcPromise"], [RpcProperty, "JsRpcProperty"],
                               [ServiceStub, "ServiceStub"]]) {
    assertEquals(typeof Class, "function");
    assertEquals(Class.name, name);
    assertThrows(() => new Class(new RpcTarget()), TypeError);
    assert(!(new RpcTarget() instanceof Class), name);
  }
}
