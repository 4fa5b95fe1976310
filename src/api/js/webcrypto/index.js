// The "webcrypto" area: crypto.subtle, SubtleCrypto and CryptoKey, loaded on first use (see
// ../lazy.js). The byte work is native: src/api/crypto/.
export { SubtleCrypto, subtle } from "./subtle.js";
export { CryptoKey } from "./crypto-key.js";
