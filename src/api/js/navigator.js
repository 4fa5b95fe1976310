// https://html.spec.whatwg.org/#the-workernavigator-object, the part Workers has. Libraries
// detect the Workers runtime by its userAgent.
import { configureInterface, illegalConstructor, illegalInvocation, internalKey, isObject } from "./webidl.js";

export class Navigator {
  #brand;

  constructor(key = undefined) {
    if (key !== internalKey) illegalConstructor();
  }

  get userAgent() {
    if (!isObject(this) || !(#brand in this)) illegalInvocation();
    return "Cloudflare-Workers";
  }

  get hardwareConcurrency() {
    if (!isObject(this) || !(#brand in this)) illegalInvocation();
    return 1;
  }
}
configureInterface(Navigator, "Navigator");

export const navigator = new Navigator(internalKey);
