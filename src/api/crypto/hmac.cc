// https://w3c.github.io/webcrypto/#hmac (the byte work; key lengths are checked in JS).
#include <openssl/hmac.h>

#include "api/crypto/webcrypto.h"

namespace wisp::api::crypto {

namespace {

std::vector<uint8_t> mac(const std::string& hash, const KeyMaterial& key, std::span<const uint8_t> data) {
  const EVP_MD* md = digestNamed(hash);
  auto secret = key.secret();
  std::vector<uint8_t> out(EVP_MAX_MD_SIZE);
  unsigned int size = 0;
  if (!HMAC(md, nonNull(secret), static_cast<int>(secret.size()), nonNull(data), data.size(), out.data(), &size)) {
    operationError("The HMAC could not be computed.");
  }
  out.resize(size);
  return out;
}

}  // namespace

std::vector<uint8_t> WebCryptoOps::hmacSign(std::string hash, Key key, js::BufferSource data) {
  ClearErrorsOnExit clear;
  return mac(hash, *key, data.bytes);
}

bool WebCryptoOps::hmacVerify(std::string hash, Key key, js::BufferSource signature, js::BufferSource data) {
  ClearErrorsOnExit clear;
  auto expected = mac(hash, *key, data.bytes);
  return signature.bytes.size() == expected.size() &&
         CRYPTO_memcmp(expected.data(), signature.bytes.data(), expected.size()) == 0;
}

}  // namespace wisp::api::crypto
