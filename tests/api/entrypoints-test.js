// The classes of the built-in module "cloudflare:workers". Dispatching a request to an export
// is covered end to end by the CLI tests.
import { assert, assertEquals, assertThrows } from "wisp:test";
import { WorkerEntrypoint, DurableObject, RpcTarget, WorkflowEntrypoint, env } from "cloudflare:workers";

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
