// The global object as Workers has it: a ServiceWorkerGlobalScope, which is a WorkerGlobalScope,
// which is an EventTarget (https://html.spec.whatwg.org/#the-workerglobalscope-common-interface).
// `self.addEventListener("error", ...)` sees reportError() and exceptions thrown in listeners
// and microtasks (events.js). Of the two classes only WorkerGlobalScope is a global, as in
// Workers; neither can be constructed.
import { EventTarget } from "./events.js";
import { configureInterface, illegalConstructor } from "./webidl.js";

export class WorkerGlobalScope extends EventTarget {
  constructor() {
    illegalConstructor();
    super();
  }
}
configureInterface(WorkerGlobalScope, "WorkerGlobalScope");

class ServiceWorkerGlobalScope extends WorkerGlobalScope {}
configureInterface(ServiceWorkerGlobalScope, "ServiceWorkerGlobalScope");

// Called once, while the snapshot is built: the global object joins the chain. Its own
// properties (the globals) stay as they are.
export function installGlobalPrototype() {
  Object.setPrototypeOf(globalThis, ServiceWorkerGlobalScope.prototype);
  // https://html.spec.whatwg.org/#dom-origin: a Worker has no origin of its own ("null", as
  // Workers answers).
  Object.defineProperty(globalThis, "origin", {
    get: () => "null", enumerable: true, configurable: true,
  });
}
