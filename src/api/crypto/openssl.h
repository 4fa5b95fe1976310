// OpenSSL 3 handles as RAII types, and the few helpers every algorithm family shares: the
// spec's DOMExceptions, digests by WebCrypto name, big-endian integers.
#pragma once

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "js/error.h"

namespace wisp::api::crypto {

template <auto Free>
struct Deleter {
  template <class T>
  void operator()(T* p) const {
    Free(p);
  }
};

// For memory OpenSSL allocated (OPENSSL_free is a macro, so not a Deleter<>).
struct OpenSslFree {
  void operator()(void* p) const { OPENSSL_free(p); }
};

using EvpPkey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using EvpPkeyCtx = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using EvpMdCtx = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;
using EvpCipherCtx = std::unique_ptr<EVP_CIPHER_CTX, Deleter<EVP_CIPHER_CTX_free>>;
using EvpKdf = std::unique_ptr<EVP_KDF, Deleter<EVP_KDF_free>>;
using EvpKdfCtx = std::unique_ptr<EVP_KDF_CTX, Deleter<EVP_KDF_CTX_free>>;
using Bignum = std::unique_ptr<BIGNUM, Deleter<BN_clear_free>>;
using ParamBuilder = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD_free>>;
using Params = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM_free>>;
using Pkcs8Info = std::unique_ptr<PKCS8_PRIV_KEY_INFO, Deleter<PKCS8_PRIV_KEY_INFO_free>>;

// Bytes that may hold secrets: wiped when freed.
struct SecretBytes : std::vector<uint8_t> {
  using std::vector<uint8_t>::vector;
  SecretBytes(const SecretBytes&) = default;
  SecretBytes(SecretBytes&&) = default;
  SecretBytes& operator=(const SecretBytes&) = default;
  SecretBytes& operator=(SecretBytes&&) = default;
  ~SecretBytes() { OPENSSL_cleanse(data(), size()); }
};

// Every operation starts and ends with an empty OpenSSL error queue, so that one call's
// failures are never reported by the next.
class ClearErrorsOnExit {
 public:
  ClearErrorsOnExit() { ERR_clear_error(); }
  ~ClearErrorsOnExit() { ERR_clear_error(); }
  ClearErrorsOnExit(const ClearErrorsOnExit&) = delete;
  ClearErrorsOnExit& operator=(const ClearErrorsOnExit&) = delete;
};

// The spec's errors (https://w3c.github.io/webcrypto/#dfn-DataError and neighbours).
[[noreturn]] inline void throwDom(const char* name, std::string message) {
  ERR_clear_error();
  throw js::DOMException(name, std::move(message));
}
[[noreturn]] inline void operationError(std::string message) { throwDom("OperationError", std::move(message)); }
[[noreturn]] inline void dataError(std::string message) { throwDom("DataError", std::move(message)); }
[[noreturn]] inline void notSupported(std::string message) { throwDom("NotSupportedError", std::move(message)); }
[[noreturn]] inline void invalidAccess(std::string message) { throwDom("InvalidAccessError", std::move(message)); }

// "SHA-1", "SHA-256", "SHA-384", "SHA-512" (the JS half has normalized the name).
const EVP_MD* digestNamed(std::string_view name);

// Unsigned big-endian integers, as JWK and RsaHashedKeyGenParams.publicExponent carry them.
Bignum toBignum(std::span<const uint8_t> bytes);
// Without leading zeros, or left-padded with zeros to `width` bytes.
std::vector<uint8_t> fromBignum(const BIGNUM* n, size_t width = 0);
// A BIGNUM parameter of a key (OSSL_PKEY_PARAM_RSA_N, ...); empty when the key lacks it.
Bignum bignumParam(const EVP_PKEY* key, const char* name);

// WebCrypto exports EC points uncompressed, however they were imported (SPKI keeps the form).
void preferUncompressedPoints(EVP_PKEY* key);

// A private key whose parts agree (RSA: n = pq and the exponents match; EC: d·G is the public
// point). An inconsistent key would give wrong results later; the spec asks for a DataError.
bool consistentPrivateKey(EVP_PKEY* key);
// The RSA part of that check (rsa.cc): cheap arithmetic on n, e, d and the CRT values, no
// primality tests.
bool rsaPartsAgree(const EVP_PKEY* key);

inline std::span<const uint8_t> bytesOf(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// OpenSSL wants a non-null pointer even for zero bytes.
inline const uint8_t* nonNull(std::span<const uint8_t> bytes) {
  static const uint8_t empty = 0;
  return bytes.empty() ? &empty : bytes.data();
}

}  // namespace wisp::api::crypto
