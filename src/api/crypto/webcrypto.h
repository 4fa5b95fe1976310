// https://w3c.github.io/webcrypto/ : the byte work behind crypto.subtle.
//
// The JS half (src/api/js/webcrypto/) normalizes algorithms, checks usages, formats and key
// types, and handles JWK text; it calls these operations with validated, plain parameters.
// They run OpenSSL synchronously and throw the spec's DOMExceptions (DataError for key bytes
// that do not parse, OperationError for failures of the operation itself).
//
// JS never sees an OpenSSL handle: a key is a KeyMaterial, an opaque wrapped object that the
// JS CryptoKey keeps in a private field.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "api/crypto/openssl.h"
#include "js/class.h"

namespace wisp::api::crypto {

// The key behind a CryptoKey: secret bytes (AES, HMAC, PBKDF2, HKDF) or an OpenSSL key
// (RSA, EC, OKP), public or private. Immutable once made.
class KeyMaterial : public js::Object {
 public:
  explicit KeyMaterial(SecretBytes secret) : secret_(std::move(secret)) {}
  KeyMaterial(EvpPkey key, bool isPrivate) : key_(std::move(key)), private_(isPrivate) {}

  bool isSecret() const { return !key_; }
  bool isPrivate() const { return private_; }
  // Throws OperationError when the key is of the other kind (the JS half prevents that).
  std::span<const uint8_t> secret() const;
  EVP_PKEY* pkey() const;

  static void define(js::ClassBuilder<KeyMaterial>&) {}  // opaque to JS

 private:
  SecretBytes secret_;
  EvpPkey key_;
  bool private_ = false;
};

using Key = js::Ref<KeyMaterial>;

// What the JS half needs to build a CryptoKey's algorithm from imported key bytes.
struct KeyDetails {
  std::string kind;  // "rsa", "ec", "Ed25519", "X25519", "Ed448", "X448"
  bool isPrivate = false;
  uint32_t modulusLength = 0;  // rsa
  std::string namedCurve;      // ec: "P-256", "P-384", "P-521"
  static void fields(js::Fields<KeyDetails>& f) {
    f("kind", &KeyDetails::kind);
    f("isPrivate", &KeyDetails::isPrivate);
    f("modulusLength", &KeyDetails::modulusLength);
    f("namedCurve", &KeyDetails::namedCurve);
  }
};

// The native operations, reached from JS as the object `ops.webcrypto()` returns. Stateless.
// A generate* operation returns [publicKey, privateKey]. Lengths in bits are as the spec
// passes them; the JS half has checked them against the spec's rules.
class WebCryptoOps : public js::Object {
 public:
  // key-material.cc: secret keys, SPKI and PKCS #8, and what a key is.
  static Key importSecret(js::BufferSource bytes);
  static Key generateSecret(uint32_t byteLength);
  static std::vector<uint8_t> exportSecret(Key key);
  // `kind` as in KeyDetails; DataError when the bytes are not such a key.
  static Key importSpki(js::BufferSource der, std::string kind);
  static Key importPkcs8(js::BufferSource der, std::string kind);
  static std::vector<uint8_t> exportSpki(Key key);
  static std::vector<uint8_t> exportPkcs8(Key key);
  static KeyDetails keyDetails(Key key);
  // Ed25519/X25519/Ed448/X448 and EC: a private key's public half.
  static Key publicKeyOf(Key key);

  // digest.cc
  static std::vector<uint8_t> digest(std::string hash, js::BufferSource data);
  static bool timingSafeEqual(js::BufferSource a, js::BufferSource b);

  // hmac.cc
  static std::vector<uint8_t> hmacSign(std::string hash, Key key, js::BufferSource data);
  static bool hmacVerify(std::string hash, Key key, js::BufferSource signature, js::BufferSource data);

  // aes.cc
  static std::vector<uint8_t> aesCbc(bool encrypt, Key key, js::BufferSource iv, js::BufferSource data);
  static std::vector<uint8_t> aesCtr(bool encrypt, Key key, js::BufferSource counter, uint32_t lengthBits,
                                     js::BufferSource data);
  static std::vector<uint8_t> aesGcm(bool encrypt, Key key, js::BufferSource iv, js::BufferSource additionalData,
                                     uint32_t tagLengthBits, js::BufferSource data);
  static std::vector<uint8_t> aesKw(bool wrap, Key key, js::BufferSource data);

  // rsa.cc. `padding`: "pkcs1" (RSASSA-PKCS1-v1_5) or "pss".
  static std::vector<Key> generateRsa(uint32_t modulusLength, js::BufferSource publicExponent);
  // parts: [n, e] (public) or [n, e, d, p, q, dp, dq, qi] (private), big-endian.
  static Key importRsaJwk(std::vector<js::BufferSource> parts);
  static std::vector<std::vector<uint8_t>> exportRsaJwk(Key key);
  static std::vector<uint8_t> rsaPublicExponent(Key key);  // big-endian, no leading zeros
  static std::vector<uint8_t> rsaSign(std::string padding, std::string hash, uint32_t saltLength, Key key,
                                      js::BufferSource data);
  static bool rsaVerify(std::string padding, std::string hash, uint32_t saltLength, Key key,
                        js::BufferSource signature, js::BufferSource data);
  static std::vector<uint8_t> rsaOaep(bool encrypt, std::string hash, Key key, js::BufferSource label,
                                      js::BufferSource data);

  // ec.cc. `curve`: "P-256", "P-384", "P-521".
  static std::vector<Key> generateEc(std::string curve);
  static Key importEcRaw(std::string curve, js::BufferSource point);
  static std::vector<uint8_t> exportEcRaw(Key key);
  // x, y and (for a private key) d, each the curve's field size.
  static Key importEcJwk(std::string curve, js::BufferSource x, js::BufferSource y, std::optional<js::BufferSource> d);
  static std::vector<std::vector<uint8_t>> exportEcJwk(Key key);  // [x, y] or [x, y, d]
  static std::vector<uint8_t> ecdsaSign(std::string hash, Key key, js::BufferSource data);
  static bool ecdsaVerify(std::string hash, Key key, js::BufferSource signature, js::BufferSource data);
  // ECDH, X25519 and X448: the full shared secret.
  static std::vector<uint8_t> deriveShared(Key privateKey, Key publicKey);

  // okp.cc. `kind`: "Ed25519", "X25519", "Ed448", "X448".
  static std::vector<Key> generateOkp(std::string kind);
  // The raw public key, or (isPrivate) the raw private key.
  static Key importOkpRaw(std::string kind, js::BufferSource bytes, bool isPrivate);
  static std::vector<uint8_t> exportOkpRaw(Key key, bool privatePart);
  static std::vector<uint8_t> eddsaSign(Key key, js::BufferSource data);
  static bool eddsaVerify(Key key, js::BufferSource signature, js::BufferSource data);

  // kdf.cc
  static std::vector<uint8_t> pbkdf2(std::string hash, Key key, js::BufferSource salt, uint32_t iterations,
                                     uint32_t lengthBits);
  static std::vector<uint8_t> hkdf(std::string hash, Key key, js::BufferSource salt, js::BufferSource info,
                                   uint32_t lengthBits);

  static void define(js::ClassBuilder<WebCryptoOps>& c);
};

// For global-scope.cc: the stateless instance behind `ops.webcrypto()`.
js::Value webCryptoOps(js::Lock& js);

}  // namespace wisp::api::crypto
