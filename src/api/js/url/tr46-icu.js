// Stands in for the npm package tr46 (https://www.unicode.org/reports/tr46/) inside whatwg-url:
// scripts/bundle-js.mjs aliases `tr46` to this file, so IDNA runs in ICU through a native op
// instead of tr46's 250 kB mapping table.
//
// whatwg-url calls only toASCII, with the options of
// https://url.spec.whatwg.org/#concept-domain-to-ascii: useSTD3ASCIIRules and verifyDNSLength
// both equal beStrict, the rest fixed (CheckBidi, CheckJoiners, nontransitional). The native op
// applies exactly those, keyed on beStrict.
import { ops } from "../ops.js";

// -> the ASCII domain, or null on failure (tr46's contract).
export function toASCII(domainName, { useSTD3ASCIIRules = false } = {}) {
  return ops.domainToASCII(String(domainName), Boolean(useSTD3ASCIIRules));
}

// -> { domain, error } (tr46's contract); unused by whatwg-url, kept for completeness.
export function toUnicode(domainName) {
  const domain = ops.domainToUnicode(String(domainName));
  return domain === null ? { domain: String(domainName), error: true } : { domain, error: false };
}
