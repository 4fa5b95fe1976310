// https://html.spec.whatwg.org/#the-workernavigator-object, the part Workers has. Libraries
// detect the Workers runtime by its userAgent. Workers answers "en" for the language (its
// enable_navigator_language behaviour, the default since 2025-05-19) and 1 for the
// hardware concurrency (one Worker is one thread).
import { configureInterface, illegalConstructor, illegalInvocation, internalKey, isObject } from "./webidl.js";

const languages = Object.freeze(["en"]);

export class Navigator {
  #brand;

  constructor(key = undefined) {
    if (key !== internalKey) illegalConstructor();
  }

  get userAgent() {
    if (!isObject(this) || !(#brand in this)) illegalInvocation();
    return "Cloudflare-Workers";
  }

  get language() {
    if (!isObject(this) || !(#brand in this)) illegalInvocation();
    return languages[0];
  }

  // FrozenArray<DOMString>: the same frozen array on every read.
  get languages() {
    if (!isObject(this) || !(#brand in this)) illegalInvocation();
    return languages;
  }

  get hardwareConcurrency() {
    if (!isObject(this) || !(#brand in this)) illegalInvocation();
    return 1;
  }
}
configureInterface(Navigator, "Navigator");

export const navigator = new Navigator(internalKey);
