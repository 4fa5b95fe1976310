// KeyMaterial, secret keys, SPKI / PKCS #8, and the shared OpenSSL helpers of openssl.h.
#include <openssl/core_names.h>
#include <openssl/rand.h>

#include "api/crypto/webcrypto.h"

namespace wisp::api::crypto {

// ---- helpers (openssl.h) ----

const EVP_MD* digestNamed(std::string_view name) {
  if (name == "SHA-1") return EVP_sha1();
  if (name == "SHA-256") return EVP_sha256();
  if (name == "SHA-384") return EVP_sha384();
  if (name == "SHA-512") return EVP_sha512();
  notSupported("Unrecognized hash algorithm \"" + std::string(name) + "\".");
}

Bignum toBignum(std::span<const uint8_t> bytes) {
  Bignum n(BN_bin2bn(nonNull(bytes), static_cast<int>(bytes.size()), nullptr));
  if (!n) throw std::bad_alloc();
  return n;
}

std::vector<uint8_t> fromBignum(const BIGNUM* n, size_t width) {
  size_t size = static_cast<size_t>(BN_num_bytes(n));
  std::vector<uint8_t> out(std::max(size, width));
  if (BN_bn2binpad(n, out.data(), static_cast<int>(out.size())) < 0) operationError("A key component is too large.");
  return out;
}

Bignum bignumParam(const EVP_PKEY* key, const char* name) {
  BIGNUM* n = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &n) != 1) {
    ERR_clear_error();
    return nullptr;
  }
  return Bignum(n);
}

void preferUncompressedPoints(EVP_PKEY* key) {
  EVP_PKEY_set_utf8_string_param(key, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                 OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED);
  ERR_clear_error();
}

bool consistentPrivateKey(EVP_PKEY* key) {
  switch (EVP_PKEY_get_base_id(key)) {
    // OpenSSL's own RSA checks test the primes, which takes seconds for large keys.
    case EVP_PKEY_RSA: return rsaPartsAgree(key);
    case EVP_PKEY_EC: {
      EvpPkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
      if (!ctx) throw std::bad_alloc();
      return EVP_PKEY_check(ctx.get()) == 1;
    }
    default: return true;
  }
}

// ---- KeyMaterial ----

std::span<const uint8_t> KeyMaterial::secret() const {
  if (key_) operationError("The key is not a secret key.");
  return secret_;
}

EVP_PKEY* KeyMaterial::pkey() const {
  if (!key_) operationError("The key is not an asymmetric key.");
  return key_.get();
}

namespace {

// The KeyDetails kind of an OpenSSL key, or "" for a type WebCrypto does not know.
std::string kindOf(const EVP_PKEY* key) {
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA: return "rsa";
    case EVP_PKEY_EC: return "ec";
    case EVP_PKEY_ED25519: return "Ed25519";
    case EVP_PKEY_X25519: return "X25519";
    case EVP_PKEY_ED448: return "Ed448";
    case EVP_PKEY_X448: return "X448";
    default: return "";
  }
}

std::string curveOf(const EVP_PKEY* key) {
  char group[64] = {};
  size_t length = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &length) != 1) {
    return "";
  }
  std::string_view name(group, length);
  if (name == "prime256v1" || name == "P-256") return "P-256";
  if (name == "secp384r1" || name == "P-384") return "P-384";
  if (name == "secp521r1" || name == "P-521") return "P-521";
  return std::string(name);
}

void checkKind(const EVP_PKEY* key, const std::string& kind, const char* format) {
  std::string actual = kindOf(key);
  if (actual != kind) {
    dataError(std::string("The ") + format + " key is " + (actual.empty() ? "of an unsupported type" : "an " + actual + " key") +
              ", not " + (kind == "rsa" ? "an RSA" : kind == "ec" ? "an EC" : "an " + kind) + " key.");
  }
}

std::vector<uint8_t> encode(int (*i2d)(const EVP_PKEY*, unsigned char**), const EVP_PKEY* key) {
  int size = i2d(key, nullptr);
  if (size <= 0) operationError("The key could not be encoded.");
  std::vector<uint8_t> out(static_cast<size_t>(size));
  unsigned char* p = out.data();
  if (i2d(key, &p) != size) operationError("The key could not be encoded.");
  return out;
}

int i2dPkcs8(const EVP_PKEY* key, unsigned char** out) {
  Pkcs8Info info(EVP_PKEY2PKCS8(key));
  if (!info) return -1;
  return i2d_PKCS8_PRIV_KEY_INFO(info.get(), out);
}

}  // namespace

// ---- secret keys ----

Key WebCryptoOps::importSecret(js::BufferSource bytes) {
  return js::make<KeyMaterial>(SecretBytes(bytes.bytes.begin(), bytes.bytes.end()));
}

Key WebCryptoOps::generateSecret(uint32_t byteLength) {
  ClearErrorsOnExit clear;
  SecretBytes bytes(byteLength);
  if (byteLength > 0 && RAND_bytes(bytes.data(), static_cast<int>(byteLength)) != 1) {
    operationError("The system random number generator failed.");
  }
  return js::make<KeyMaterial>(std::move(bytes));
}

std::vector<uint8_t> WebCryptoOps::exportSecret(Key key) {
  auto bytes = key->secret();
  return {bytes.begin(), bytes.end()};
}

// ---- SPKI and PKCS #8 ----

Key WebCryptoOps::importSpki(js::BufferSource der, std::string kind) {
  ClearErrorsOnExit clear;
  // Every byte must be part of the structure: trailing data is malformed input too.
  const unsigned char* p = der.bytes.data();
  EvpPkey key(der.bytes.empty() ? nullptr : d2i_PUBKEY(nullptr, &p, static_cast<long>(der.bytes.size())));
  if (!key || p != der.bytes.data() + der.bytes.size()) {
    dataError("The key data is not a valid SubjectPublicKeyInfo structure.");
  }
  checkKind(key.get(), kind, "SPKI");
  if (kind == "ec") preferUncompressedPoints(key.get());
  return js::make<KeyMaterial>(std::move(key), false);
}

Key WebCryptoOps::importPkcs8(js::BufferSource der, std::string kind) {
  ClearErrorsOnExit clear;
  const unsigned char* p = der.bytes.data();
  Pkcs8Info info(der.bytes.empty() ? nullptr
                                   : d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.bytes.size())));
  if (!info || p != der.bytes.data() + der.bytes.size()) {
    dataError("The key data is not a valid PrivateKeyInfo structure.");
  }
  EvpPkey key(EVP_PKCS82PKEY(info.get()));
  if (!key) dataError("The key data is not a valid PrivateKeyInfo structure.");
  checkKind(key.get(), kind, "PKCS #8");
  if (!consistentPrivateKey(key.get())) dataError("The private key is invalid.");
  return js::make<KeyMaterial>(std::move(key), true);
}

std::vector<uint8_t> WebCryptoOps::exportSpki(Key key) {
  ClearErrorsOnExit clear;
  return encode(i2d_PUBKEY, key->pkey());
}

std::vector<uint8_t> WebCryptoOps::exportPkcs8(Key key) {
  ClearErrorsOnExit clear;
  if (!key->isPrivate()) invalidAccess("Only a private key can be exported as PKCS #8.");
  return encode(i2dPkcs8, key->pkey());
}

KeyDetails WebCryptoOps::keyDetails(Key key) {
  ClearErrorsOnExit clear;
  KeyDetails details;
  if (key->isSecret()) {
    details.kind = "secret";
    return details;
  }
  const EVP_PKEY* pkey = key->pkey();
  details.kind = kindOf(pkey);
  details.isPrivate = key->isPrivate();
  if (details.kind == "rsa") {
    details.modulusLength = static_cast<uint32_t>(EVP_PKEY_get_bits(pkey));
  } else if (details.kind == "ec") {
    details.namedCurve = curveOf(pkey);
  }
  return details;
}

Key WebCryptoOps::publicKeyOf(Key key) {
  ClearErrorsOnExit clear;
  // Re-encoding the public half is the one way that works for every key type.
  auto der = encode(i2d_PUBKEY, key->pkey());
  const unsigned char* p = der.data();
  EvpPkey pub(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (!pub) operationError("The public key could not be derived.");
  return js::make<KeyMaterial>(std::move(pub), false);
}

}  // namespace wisp::api::crypto
