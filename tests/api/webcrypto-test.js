// crypto.subtle and CryptoKey (https://w3c.github.io/webcrypto/). Known answers were computed
// with Node's own crypto.webcrypto and pasted here; randomized algorithms (RSA-PSS, RSA-OAEP,
// ECDSA) check values Node produced against wisp, and wisp's own results by round trip.
import { assert, assertEquals, assertRejects, assertThrows } from "wisp:test";

const { subtle } = crypto;
const text = (s) => new TextEncoder().encode(s);
const hex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");
const fromHex = (s) => new Uint8Array(s.match(/../g).map((h) => parseInt(h, 16)));
const fromBase64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

const data = text("wisp webcrypto known answer");
const secret = new Uint8Array(32).map((_, i) => i + 1);
const iv = new Uint8Array(16).map((_, i) => 0xa0 + i);

// A 1024-bit RSA key (small, for speed) and P-256 / Ed25519 / X25519 keys, made by Node.
const rsaPkcs8 = fromBase64("MIICdwIBADANBgkqhkiG9w0BAQEFAASCAmEwggJdAgEAAoGBAOtQhu4ukKtsVOfvgB7sLw//5GTD77MIPIG+nPyMxgECKKRap1DRWREVnYmlanpx158qnMbscB3wJ2joPGuJnzXR+pcBgUkFqmG5rWX7TZW5WahTXMNafwGSJZvfGaVrqtKIYnCcB+4fZmktmMYBHju7Bt5JgrFn6sqHrFUm/bq3AgMBAAECgYBYFz9L7xatddKbOSeHa/d6T9tadZdIOG8eSxNN4A1H110LmfxE3vou0R62prwjtnZ32WXzehPGwV6fgUENKOn2bi4FWjFjII+BLWiKhKcF01h38cTlgxvi6xp/12TwLAeu/JEqG9ZRHYpVAMR1uOFZlz91TNmal3YLXdXAOXXqgQJBAPc4YTt7SX3zzF39Sz6kJidJ7MP79b/6/zCKo+jjG0rBLjYEw306DGwg2bCeR4UbA/8ZR7bbHBhIrAT7oZEiV6ECQQDzq+fuEDXPma6/Bvub3E84QlOWlwyWDlQoE1ocGl72HKKWRaYjvuicAjCQhHmLnIQ2dbtXQIRgDPBe011CMRNXAkEA9ZwHzaaAryeFhGNfXA6M8T+agGNUFbVxznIOwhLPTId8N6Kn7UO8j7hbTgMSHwVmBQzCmMI6uU2JyTGNpLkvwQJADwz/NmUp7bjAYmw7/lSNUBxIrXSHAn3AFPmdBz9ZvjnmkQGcUXjpRTmdZk/Icicow3RiLfF+O7CQ6EqF6CC/4QJBAPNVBqu3Y8Adl6+vJfB7no4a9iTC2YlGWFadSc8ba4FWgw593P4qp124SGggmFKDaXms3FHjup2BNdoRqv8UUY0=");
const rsaSpki = fromBase64("MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDrUIbuLpCrbFTn74Ae7C8P/+Rkw++zCDyBvpz8jMYBAiikWqdQ0VkRFZ2JpWp6cdefKpzG7HAd8Cdo6DxriZ810fqXAYFJBaphua1l+02VuVmoU1zDWn8BkiWb3xmla6rSiGJwnAfuH2ZpLZjGAR47uwbeSYKxZ+rKh6xVJv26twIDAQAB");
const ecJwk = {"kty": "EC", "crv": "P-256", "x": "Ncl_qHLrDSjfYKwG30hI44QYf-yVa3ZWhpkMTWqoarg", "y": "F8T6b2MhAg5285poEdrJuAEX4tCpcs2woC54NZgYcYk", "d": "nEuRmNx7B3FlLthC5uJJiRvxun38cixytTQ3IzHAcw4"};
const ecdhPeerJwk = {"kty": "EC", "crv": "P-256", "x": "DNynYNwmvy33OGjNChx0BayNdr-UzJQdNPaSD-ahZhc", "y": "xCyd94bBl7J545rdLwgNFgegDVxWLscJv19_uF8hxC0"};
const edJwk = {"kty": "OKP", "crv": "Ed25519", "x": "O2Q4-MTqH5VA6f3zxscAafGqurKsU1AVhfVELYFmFqY", "d": "ByRXLCZa2sQO-PItVt33Ya6nCKYOb8dFSmRSf5C0h48"};
const edSpki = fromBase64("MCowBQYDK2VwAyEAO2Q4+MTqH5VA6f3zxscAafGqurKsU1AVhfVELYFmFqY=");
const x25519Pkcs8 = fromBase64("MC4CAQAwBQYDK2VuBCIEIDCfEzrQ4eXz3yucuj9SLbtieOl+sD7ACIkQ4am+iTlc");
const x25519PeerRaw = fromHex("e17c5aa6e8a90e50712e8c73667f7323d5bba398ca345f5f8110dae338886c50");

export async function digestKnownAnswers() {
  assertEquals(hex(await subtle.digest("SHA-1", data)), "befebbfc78a71b6be079dc02187dca3a17c21b90");
  assertEquals(hex(await subtle.digest("sha-256", data)), "697c1f05a62c2ecd4a4a27007ed27777d94c490bc1496a5ac7d462583a415929");
  assertEquals(hex(await subtle.digest({ name: "SHA-384" }, data.buffer)), "e7efbcf3b59535da55f2ca34166d13b3a4ebd2cf0148cf479b032c3b0688021d3b763dd78ba554edd30da77776b5e6a4");
  assertEquals(hex(await subtle.digest("SHA-512", new DataView(data.buffer))), "58177f03752fbced93790d9f1836a850845592be103580326c31acd34ba23979d904923bd73ed578abf60cb6afb8280f5f8e2c923d9cac8c204487051f8cd14b");
  await assertRejects(subtle.digest("MD5", data), "NotSupportedError");
  await assertRejects(subtle.digest("SHA-256", "not bytes"), TypeError);
}

export async function hmacSignsVerifiesAndRoundTrips() {
  const key = await subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, true, ["sign", "verify"]);
  assertEquals(key.algorithm, { name: "HMAC", length: 256, hash: { name: "SHA-256" } });
  const signature = await subtle.sign("HMAC", key, data);
  assertEquals(hex(signature), "17f5337e123dda139182c44e9895f356ed758c15cdbb79dc13ad003bb1246b21");
  assert(await subtle.verify("HMAC", key, signature, data));
  assert(!(await subtle.verify("HMAC", key, signature, text("other"))));
  const jwk = await subtle.exportKey("jwk", key);
  assertEquals([jwk.kty, jwk.alg, jwk.ext, jwk.key_ops], ["oct", "HS256", true, ["sign", "verify"]]);
  const again = await subtle.importKey("jwk", jwk, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  assertEquals(hex(await subtle.sign("HMAC", again, data)), "17f5337e123dda139182c44e9895f356ed758c15cdbb79dc13ad003bb1246b21");

  const sha512 = await subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-512" }, false, ["sign"]);
  assertEquals(hex(await subtle.sign("HMAC", sha512, data)), "dcb84e2e47db57f20cf78a0c14f6875759f8513aebc4a57817ee37e351d7521df7496d2096396cac58cfe398c09586e39d74133e41caebdab87fdfdea84b380e");
  const generated = await subtle.generateKey({ name: "HMAC", hash: "SHA-384" }, true, ["sign"]);
  assertEquals([generated.algorithm.length, (await subtle.exportKey("raw", generated)).byteLength], [1024, 128]);
}

export async function aesKnownAnswers() {
  const cbc = await subtle.importKey("raw", secret, "AES-CBC", false, ["encrypt", "decrypt"]);
  const cbcOut = await subtle.encrypt({ name: "AES-CBC", iv }, cbc, data);
  assertEquals(hex(cbcOut), "de7fa416d7991b4dad38d53b290d27c73fa5d1ef20384da04e816556a35663ba");
  assertEquals(new Uint8Array(await subtle.decrypt({ name: "AES-CBC", iv }, cbc, cbcOut)), data);

  const ctr = await subtle.importKey("raw", secret, "AES-CTR", false, ["encrypt", "decrypt"]);
  const ctrOut = await subtle.encrypt({ name: "AES-CTR", counter: iv, length: 64 }, ctr, data);
  assertEquals(hex(ctrOut), "d55552adcd1eb2337e687a303181e7c25af0ae44f04dccf5525efd");
  assertEquals(new Uint8Array(await subtle.decrypt({ name: "AES-CTR", counter: iv, length: 64 }, ctr, ctrOut)), data);

  const gcm = await subtle.importKey("raw", secret, "AES-GCM", false, ["encrypt", "decrypt"]);
  const gcmParams = { name: "AES-GCM", iv: iv.slice(0, 12), additionalData: text("aad") };
  const gcmOut = await subtle.encrypt(gcmParams, gcm, data);
  assertEquals(hex(gcmOut), "ceb84e16ddc23f661c7cdb1b85ea00ef39b8c77778090ef7503ea719d0cf3b3f7eccde56bdbaa53d0c74c5");
  assertEquals(new Uint8Array(await subtle.decrypt(gcmParams, gcm, gcmOut)), data);
  const tampered = new Uint8Array(gcmOut);
  tampered[0] ^= 1;
  await assertRejects(subtle.decrypt(gcmParams, gcm, tampered), "OperationError");
}

// The counter's low `length` bits wrap around without carrying into the rest of the block.
export async function aesCtrCounterWrapsWithinItsLength() {
  const counter = new Uint8Array(16).fill(0x11);
  counter[15] = 0xfe;
  const key = await subtle.importKey("raw", secret.slice(0, 16), "AES-CTR", false, ["encrypt"]);
  const out = await subtle.encrypt({ name: "AES-CTR", counter, length: 8 }, key, new Uint8Array(48));
  assertEquals(hex(out), "442bacf1bfe355a39c17ddf7c018dceedacb82540f1074531c782ee1d54d5d97683d2cf2fa2b18195686cffe73c11387");
  await assertRejects(subtle.encrypt({ name: "AES-CTR", counter, length: 1 }, key, new Uint8Array(48)), "OperationError");
}

export async function aesKwWrapsAndUnwraps() {
  const kek = await subtle.importKey("raw", secret.slice(0, 16), "AES-KW", false, ["wrapKey", "unwrapKey"]);
  const key = await subtle.importKey("raw", secret, "AES-GCM", true, ["encrypt"]);
  const wrapped = await subtle.wrapKey("raw", key, kek, "AES-KW");
  assertEquals(hex(wrapped), "06458635b371627dc4147cdabdb1835022be344d99206abc54ccdd805dd1cd739802a37057cef133");
  const unwrapped = await subtle.unwrapKey("raw", wrapped, kek, "AES-KW", "AES-GCM", true, ["decrypt"]);
  assertEquals(new Uint8Array(await subtle.exportKey("raw", unwrapped)), secret);
  const corrupt = new Uint8Array(wrapped);
  corrupt[3] ^= 1;
  await assertRejects(subtle.unwrapKey("raw", corrupt, kek, "AES-KW", "AES-GCM", true, ["decrypt"]), "OperationError");
}

export async function wrapKeyAsJwkWithAnEncryptionAlgorithm() {
  const kek = await subtle.generateKey({ name: "AES-GCM", length: 128 }, false, ["wrapKey", "unwrapKey"]);
  const key = await subtle.importKey("jwk", edJwk, "Ed25519", true, ["sign"]);
  const params = { name: "AES-GCM", iv: new Uint8Array(12) };
  const wrapped = await subtle.wrapKey("jwk", key, kek, params);
  const unwrapped = await subtle.unwrapKey("jwk", wrapped, kek, params, "Ed25519", false, ["sign"]);
  assertEquals([unwrapped.type, unwrapped.extractable, unwrapped.usages], ["private", false, ["sign"]]);
  assertEquals(hex(await subtle.sign("Ed25519", unwrapped, data)), "62eba901d3cada800849d135b25d52cbf32b613ea96274bacdf0e43169cde35356096e538893d8015a45371687c357ebcba5e6ab0a377af297e71506e90c890b");
}

export async function kdfKnownAnswers() {
  const password = await subtle.importKey("raw", text("password"), "PBKDF2", false, ["deriveBits", "deriveKey"]);
  const pbkdf2 = { name: "PBKDF2", hash: "SHA-256", salt: text("salt"), iterations: 1000 };
  assertEquals(hex(await subtle.deriveBits(pbkdf2, password, 256)), "632c2812e46d4604102ba7618e9d6d7d2f8128f6266b4a03264d2a0460b7dcb3");
  const aes = await subtle.deriveKey(pbkdf2, password, { name: "AES-CBC", length: 128 }, true, ["encrypt"]);
  assertEquals(hex(await subtle.exportKey("raw", aes)), "632c2812e46d4604102ba7618e9d6d7d");
  await assertRejects(subtle.deriveBits({ ...pbkdf2, iterations: 0 }, password, 256), "OperationError");
  // Cloudflare's cap on one call's work.
  await assertRejects(subtle.deriveBits({ ...pbkdf2, iterations: 100001 }, password, 256), "NotSupportedError",
    "iteration counts above 100000 are not supported (requested 100001)");
  await assertRejects(subtle.deriveBits(pbkdf2, password), "OperationError");
  assertEquals((await subtle.deriveBits(pbkdf2, password, 0)).byteLength, 0);

  const ikm = await subtle.importKey("raw", secret, "HKDF", false, ["deriveBits"]);
  const hkdf = { name: "HKDF", hash: "SHA-256", salt: text("salt"), info: text("info") };
  assertEquals(hex(await subtle.deriveBits(hkdf, ikm, 336)), "347ea53e55acc8addd70d84648f13521378de7fa32500a2a902510385ac3cc0d84c8f2d2d0467d716788");
  await assertRejects(subtle.deriveBits(hkdf, ikm, 100), "OperationError");
  await assertRejects(subtle.importKey("raw", secret, "HKDF", true, ["deriveBits"]), "SyntaxError");
}

export async function rsaWithNodeMadeValues() {
  const pkcs1 = await subtle.importKey("pkcs8", rsaPkcs8, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, true, ["sign"]);
  assertEquals(pkcs1.algorithm.modulusLength, 1024);
  assertEquals(pkcs1.algorithm.publicExponent, new Uint8Array([1, 0, 1]));
  assertEquals(hex(await subtle.sign("RSASSA-PKCS1-v1_5", pkcs1, data)), "dbd8683bce8990be969d1dcd1dfeddbff2ebf0b6aaebd2359a6c624a691d2ccee1cf8e0b509920df8886b3bdbe585fecddbbfcabe93eae53b8aa755cdc3fd488a970493502aa6e090ce73a984fda9251d1274d6c181ad424eefd136ed7485b56ff2c5dd0619f0063b22091f8b9a0c9fa5702cd1400448a996664915ad0d3e825");
  assertEquals(new Uint8Array(await subtle.exportKey("pkcs8", pkcs1)), rsaPkcs8);

  const pss = await subtle.importKey("spki", rsaSpki, { name: "RSA-PSS", hash: "SHA-256" }, true, ["verify"]);
  assert(await subtle.verify({ name: "RSA-PSS", saltLength: 32 }, pss, fromHex("20e2e1495eaf1969c52a0dcfe8983198b85c692c61bf19974b8c85bd7ef7b39b3d00e128727f52ccb1ed6463bea06294749d344cf15c4241d8ad21ae59e7d5ec90f580326dc35b68f0d9d032be2b91dd4c1dd699586778c9fa4dca8877573357a2b51755b3a5a0797ab81fad0d02320faba904d806b5d901b293a7c1b75c8b4c"), data));
  assert(!(await subtle.verify({ name: "RSA-PSS", saltLength: 20 }, pss, fromHex("20e2e1495eaf1969c52a0dcfe8983198b85c692c61bf19974b8c85bd7ef7b39b3d00e128727f52ccb1ed6463bea06294749d344cf15c4241d8ad21ae59e7d5ec90f580326dc35b68f0d9d032be2b91dd4c1dd699586778c9fa4dca8877573357a2b51755b3a5a0797ab81fad0d02320faba904d806b5d901b293a7c1b75c8b4c"), data)));
  assertEquals(new Uint8Array(await subtle.exportKey("spki", pss)), rsaSpki);

  const oaep = await subtle.importKey("pkcs8", rsaPkcs8, { name: "RSA-OAEP", hash: "SHA-256" }, false, ["decrypt"]);
  const plain = await subtle.decrypt({ name: "RSA-OAEP", label: text("label") }, oaep, fromHex("38c27ab88be78543e3684804d06a6585b33d8fc0ba15735dce4b85f8e130930443e1040558f50fa5fb481c1bfe5ab2ac5a6c9532df6b9c5f572bc80891c6d546a953f5d2ae65d90d3130a95eba6c27496f53a0e6074b7b606c5e4dc9905b0015d453f9f3c05799f633fdd3b6b2ff1bff429fcda23d8c448229190ab16153b411"));
  assertEquals(new Uint8Array(plain), data);
  await assertRejects(subtle.decrypt({ name: "RSA-OAEP" }, oaep, fromHex("38c27ab88be78543e3684804d06a6585b33d8fc0ba15735dce4b85f8e130930443e1040558f50fa5fb481c1bfe5ab2ac5a6c9532df6b9c5f572bc80891c6d546a953f5d2ae65d90d3130a95eba6c27496f53a0e6074b7b606c5e4dc9905b0015d453f9f3c05799f633fdd3b6b2ff1bff429fcda23d8c448229190ab16153b411")), "OperationError");
}

export async function rsaGeneratedKeysRoundTrip() {
  const { publicKey, privateKey } = await subtle.generateKey(
    { name: "RSA-PSS", modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-384" },
    true, ["sign", "verify"]);
  assertEquals([publicKey.type, publicKey.extractable, publicKey.usages], ["public", true, ["verify"]]);
  assertEquals([privateKey.type, privateKey.usages], ["private", ["sign"]]);
  const signature = await subtle.sign({ name: "RSA-PSS", saltLength: 48 }, privateKey, data);
  assert(await subtle.verify({ name: "RSA-PSS", saltLength: 48 }, publicKey, signature, data));
  const jwk = await subtle.exportKey("jwk", privateKey);
  assertEquals([jwk.kty, jwk.alg, typeof jwk.qi], ["RSA", "PS384", "string"]);
  const reimported = await subtle.importKey("jwk", jwk, { name: "RSA-PSS", hash: "SHA-384" }, false, ["sign"]);
  const again = await subtle.sign({ name: "RSA-PSS", saltLength: 48 }, reimported, data);
  assert(await subtle.verify({ name: "RSA-PSS", saltLength: 48 }, publicKey, again, data));

  const oaep = await subtle.generateKey(
    { name: "RSA-OAEP", modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-1" },
    false, ["encrypt", "decrypt"]);
  const cipher = await subtle.encrypt("RSA-OAEP", oaep.publicKey, data);
  assertEquals(new Uint8Array(await subtle.decrypt("RSA-OAEP", oaep.privateKey, cipher)), data);
  await assertRejects(subtle.generateKey(
    { name: "RSA-OAEP", modulusLength: 1024, publicExponent: new Uint8Array([1]), hash: "SHA-1" }, false, ["decrypt"]),
  "OperationError");
}

export async function ecdsaAndEcdh() {
  const { d, ...ecPublicJwk } = ecJwk;
  const verifier = await subtle.importKey("jwk", ecPublicJwk, { name: "ECDSA", namedCurve: "P-256" }, true, ["verify"]);
  assert(await subtle.verify({ name: "ECDSA", hash: "SHA-256" }, verifier, fromHex("9e2d6bf5b2bbc869cd3205f18f2cfb497258c54a938563c443172a7964f50b6e40b1156675f37e7bf5976a70cd4e6a8e75ef67f776c12af9f59acdbe8e8373c4"), data));
  const signer = await subtle.importKey("jwk", ecJwk, { name: "ECDSA", namedCurve: "P-256" }, true, ["sign"]);
  const signature = await subtle.sign({ name: "ECDSA", hash: "SHA-256" }, signer, data);
  assertEquals(signature.byteLength, 64);
  assert(await subtle.verify({ name: "ECDSA", hash: "SHA-256" }, verifier, signature, data));
  const raw = await subtle.exportKey("raw", verifier);
  assertEquals(new Uint8Array(raw)[0], 4);
  const fromRaw = await subtle.importKey("raw", raw, { name: "ECDSA", namedCurve: "P-256" }, true, ["verify"]);
  assertEquals(await subtle.exportKey("jwk", fromRaw), { ...ecPublicJwk, key_ops: ["verify"], ext: true });

  const mine = await subtle.importKey("jwk", ecJwk, { name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"]);
  const peer = await subtle.importKey("jwk", ecdhPeerJwk, { name: "ECDH", namedCurve: "P-256" }, false, []);
  assertEquals(hex(await subtle.deriveBits({ name: "ECDH", public: peer }, mine, 256)), "e69e9f0d932e2b55d749b93590a1e29d44aa3c434a86581df18a57fa6e907bdd");
  assertEquals(hex(await subtle.deriveBits({ name: "ECDH", public: peer }, mine)), "e69e9f0d932e2b55d749b93590a1e29d44aa3c434a86581df18a57fa6e907bdd");
  await assertRejects(subtle.deriveBits({ name: "ECDH", public: peer }, mine, 264), "OperationError");
  const p384 = await subtle.generateKey({ name: "ECDH", namedCurve: "P-384" }, false, ["deriveBits"]);
  await assertRejects(subtle.deriveBits({ name: "ECDH", public: p384.publicKey }, mine, 256), "InvalidAccessError");
}

export async function ed25519AndX25519() {
  const key = await subtle.importKey("jwk", edJwk, { name: "Ed25519" }, true, ["sign"]);
  assertEquals(hex(await subtle.sign("Ed25519", key, data)), "62eba901d3cada800849d135b25d52cbf32b613ea96274bacdf0e43169cde35356096e538893d8015a45371687c357ebcba5e6ab0a377af297e71506e90c890b");
  const publicKey = await subtle.importKey("spki", edSpki, "Ed25519", true, ["verify"]);
  assert(await subtle.verify("Ed25519", publicKey, fromHex("62eba901d3cada800849d135b25d52cbf32b613ea96274bacdf0e43169cde35356096e538893d8015a45371687c357ebcba5e6ab0a377af297e71506e90c890b"), data));
  assertEquals((await subtle.exportKey("jwk", key)).alg, "Ed25519");
  assertEquals(key.algorithm, { name: "Ed25519" });

  const x = await subtle.importKey("pkcs8", x25519Pkcs8, "X25519", false, ["deriveBits"]);
  const peer = await subtle.importKey("raw", x25519PeerRaw, "X25519", false, []);
  assertEquals(hex(await subtle.deriveBits({ name: "X25519", public: peer }, x, 256)), "ac3c41fdaf1d43326fe800c5a6692e7d77e040cde611947e6bb5b86270389037");
  const smallOrder = await subtle.importKey("raw", new Uint8Array(32), "X25519", false, []);
  await assertRejects(subtle.deriveBits({ name: "X25519", public: smallOrder }, x, 256), "OperationError");
}

// Workers' name for Ed25519 before the standard one: {name: "NODE-ED25519", namedCurve: "NODE-ED25519"}.
export async function legacyNodeEd25519Name() {
  const algorithm = { name: "NODE-ED25519", namedCurve: "NODE-ED25519" };
  const publicKey = await subtle.importKey("spki", edSpki, algorithm, false, ["verify"]);
  assertEquals(publicKey.algorithm, algorithm);
  assert(await subtle.verify("NODE-ED25519", publicKey, fromHex("62eba901d3cada800849d135b25d52cbf32b613ea96274bacdf0e43169cde35356096e538893d8015a45371687c357ebcba5e6ab0a377af297e71506e90c890b"), data));
  const pair = await subtle.generateKey(algorithm, true, ["sign", "verify"]);
  const signature = await subtle.sign({ name: "NODE-ED25519" }, pair.privateKey, data);
  assert(await subtle.verify(algorithm, pair.publicKey, signature, data));
  await assertRejects(subtle.importKey("spki", edSpki, { name: "NODE-ED25519", namedCurve: "Ed448" }, false, ["verify"]), "NotSupportedError");
  await assertRejects(subtle.importKey("spki", edSpki, { name: "NODE-ED25519" }, false, ["verify"]), TypeError);
  // A legacy key is not an Ed25519 key.
  await assertRejects(subtle.verify("Ed25519", publicKey, signature, data), "InvalidAccessError");
}

export async function errorsAreTheSpecsDomExceptions() {
  const aes = await subtle.generateKey({ name: "AES-GCM", length: 128 }, false, ["encrypt"]);
  await assertRejects(subtle.generateKey({ name: "AES-XTS", length: 128 }, false, ["encrypt"]), "NotSupportedError");
  await assertRejects(subtle.generateKey({ name: "AES-GCM" }, false, ["encrypt"]), TypeError);
  await assertRejects(subtle.generateKey({}, false, ["encrypt"]), TypeError);
  await assertRejects(subtle.generateKey({ name: "AES-GCM", length: 128 }, false, ["sign"]), "SyntaxError");
  await assertRejects(subtle.generateKey({ name: "AES-GCM", length: 128 }, false, []), "SyntaxError");
  await assertRejects(subtle.generateKey({ name: "AES-GCM", length: 100 }, false, ["encrypt"]), "OperationError");
  await assertRejects(subtle.generateKey({ name: "AES-GCM", length: 128 }, false, ["bogus"]), TypeError);
  await assertRejects(subtle.importKey("raw", new Uint8Array(15), "AES-GCM", false, ["encrypt"]), "DataError");
  await assertRejects(subtle.importKey("jwk", { kty: "oct", k: "!!" }, "AES-GCM", false, ["encrypt"]), "DataError");
  await assertRejects(subtle.importKey("raw", { kty: "oct" }, "AES-GCM", false, ["encrypt"]), TypeError);
  await assertRejects(subtle.importKey("spki", new Uint8Array([48, 0]), { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]), "DataError");
  await assertRejects(subtle.importKey("spki", edSpki, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]), "DataError");
  await assertRejects(subtle.sign("HMAC", aes, data), "InvalidAccessError");
  await assertRejects(subtle.decrypt({ name: "AES-GCM", iv: new Uint8Array(12) }, aes, data), "InvalidAccessError");
  await assertRejects(subtle.exportKey("raw", aes), "InvalidAccessError");
  await assertRejects(subtle.encrypt({ name: "AES-GCM", iv: new Uint8Array(12), tagLength: 100 }, aes, data), "OperationError");
  await assertRejects(subtle.encrypt({ name: "AES-GCM", iv: new Uint8Array(12) }, "not a key", data), TypeError);
  await assertRejects(subtle.encrypt({ name: "AES-GCM", iv: new Uint8Array(12) }, aes), TypeError);
  const error = await assertRejects(subtle.digest("SHA-3", data), "NotSupportedError");
  assert(error instanceof DOMException);
  assertEquals(error.message, 'Unrecognized algorithm name "SHA-3" for this operation (digest).');
}

export async function cryptoKeySlotsAreCached() {
  const key = await subtle.generateKey({ name: "HMAC", hash: { name: "SHA-1" } }, true, ["verify", "sign", "sign"]);
  assert(key.algorithm === key.algorithm);
  assert(key.usages === key.usages);
  assertEquals(key.usages, ["sign", "verify"]);
  key.algorithm.name = "changed";
  key.usages.length = 0;
  assertEquals([key.algorithm.name, key.usages.length], ["changed", 0]);
  assert(await subtle.verify("HMAC", key, await subtle.sign("HMAC", key, data), data));
  assertEquals(Object.prototype.toString.call(key), "[object CryptoKey]");
  assert(key instanceof CryptoKey);
  assertThrows(() => new CryptoKey(), TypeError);
  assertThrows(() => new SubtleCrypto(), TypeError);
  assert(crypto.subtle === crypto.subtle && crypto.subtle instanceof SubtleCrypto);
  await assertRejects(SubtleCrypto.prototype.digest.call({}, "SHA-1", data), TypeError, "Illegal invocation");
}

// Workers' extension (https://developers.cloudflare.com/workers/examples/protect-against-timing-attacks/).
export function timingSafeEqual() {
  assertEquals(subtle.timingSafeEqual(text("secret"), text("secret")), true);
  assertEquals(subtle.timingSafeEqual(text("secret").buffer, new DataView(text("secreT").buffer)), false);
  assertEquals(subtle.timingSafeEqual(new ArrayBuffer(0), new Uint8Array(0)), true);
  assertThrows(() => subtle.timingSafeEqual(text("a"), text("ab")), TypeError, "Input buffers must have the same byte length.");
  assertThrows(() => subtle.timingSafeEqual("a", "a"), TypeError);
  assertThrows(() => subtle.timingSafeEqual(text("a")), TypeError);
}
