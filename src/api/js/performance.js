// https://w3c.github.io/hr-time/#sec-performance — only the clock. Both ops read the host's
// clock, which stands still while JS computes (a Spectre mitigation, as in Workers).
import { ops } from "./ops.js";
import { EventTarget } from "./events.js";
import { configureInterface, illegalConstructor, illegalInvocation, internalKey, isObject } from "./webidl.js";

export class Performance extends EventTarget {
  #brand;

  constructor(key = undefined) {
    if (key !== internalKey) illegalConstructor();
    super();
  }

  now() {
    if (!isObject(this) || !(#brand in this)) illegalInvocation();
    return ops.now() - ops.timeOrigin();
  }

  get timeOrigin() {
    if (!isObject(this) || !(#brand in this)) illegalInvocation();
    return ops.timeOrigin();
  }

  toJSON() {
    if (!isObject(this) || !(#brand in this)) illegalInvocation();
    return { timeOrigin: this.timeOrigin };
  }
}
configureInterface(Performance, "Performance");

export const performance = new Performance(internalKey);
