// The base of RPC stubs: `class JsRpcStub extends Shell` makes instances that are shells
// (src/js/shell.h), host objects on which any string-keyed property the class does not define
// goes to a dispatcher ({get(shell, name), apply(shell, args)}), and which may be callable.
// The subclass's #private fields land on the shell (the base constructor returns it).
import { ops } from "../ops.js";
import { illegalConstructor, internalKey } from "../webidl.js";

// [not callable, callable]: made on first use, never in the snapshot.
let classes;

export function Shell(key, dispatcher, callable) {
  if (new.target === undefined || key !== internalKey) illegalConstructor();
  classes ??= [ops.rpcShellClass(false), ops.rpcShellClass(true)];
  return ops.rpcShell(classes[callable ? 1 : 0], new.target.prototype, dispatcher);
}
// What `class X extends Shell` makes X.prototype inherit from.
Shell.prototype = Object.prototype;

// Explicit resource management (`using`, stub[Symbol.dispose]()) names these symbols; V8 10.2
// has neither.
for (const name of ["dispose", "asyncDispose"]) {
  if (typeof Symbol[name] !== "symbol") {
    Object.defineProperty(Symbol, name, { value: Symbol(`Symbol.${name}`), writable: false, enumerable: false, configurable: false });
  }
}
