// https://w3c.github.io/webcrypto/#pbkdf2 and #hkdf: the derivations (lengths checked in JS).
#include <openssl/core_names.h>
#include <openssl/kdf.h>

#include "api/crypto/webcrypto.h"

namespace wisp::api::crypto {

std::vector<uint8_t> WebCryptoOps::pbkdf2(std::string hash, Key key, js::BufferSource salt, uint32_t iterations,
                                          uint32_t lengthBits) {
  ClearErrorsOnExit clear;
  const EVP_MD* md = digestNamed(hash);
  if (iterations == 0) operationError("PBKDF2 needs at least one iteration.");
  std::vector<uint8_t> out(lengthBits / 8);
  if (out.empty()) return out;
  auto password = key->secret();
  if (PKCS5_PBKDF2_HMAC(reinterpret_cast<const char*>(nonNull(password)), static_cast<int>(password.size()),
                        nonNull(salt.bytes), static_cast<int>(salt.bytes.size()), static_cast<int>(iterations), md,
                        static_cast<int>(out.size()), out.data()) != 1) {
    operationError("PBKDF2 derivation failed.");
  }
  return out;
}

std::vector<uint8_t> WebCryptoOps::hkdf(std::string hash, Key key, js::BufferSource salt, js::BufferSource info,
                                        uint32_t lengthBits) {
  ClearErrorsOnExit clear;
  const EVP_MD* md = digestNamed(hash);
  std::vector<uint8_t> out(lengthBits / 8);
  if (out.empty()) return out;
  if (out.size() > 255 * static_cast<size_t>(EVP_MD_get_size(md))) {
    operationError("HKDF cannot derive more than 255 times the hash length.");
  }
  EvpKdf kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
  EvpKdfCtx ctx(kdf ? EVP_KDF_CTX_new(kdf.get()) : nullptr);
  if (!ctx) operationError("HKDF is not available.");
  auto ikm = key->secret();
  // OSSL_PARAM holds non-const pointers, but only reads through them here.
  auto octets = [](const char* name, std::span<const uint8_t> bytes) {
    return OSSL_PARAM_construct_octet_string(name, const_cast<uint8_t*>(nonNull(bytes)), bytes.size());
  };
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>(EVP_MD_get0_name(md)), 0),
      octets(OSSL_KDF_PARAM_KEY, ikm),
      octets(OSSL_KDF_PARAM_SALT, salt.bytes),
      octets(OSSL_KDF_PARAM_INFO, info.bytes),
      OSSL_PARAM_construct_end(),
  };
  if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1) operationError("HKDF derivation failed.");
  return out;
}

}  // namespace wisp::api::crypto
