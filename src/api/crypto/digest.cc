// https://w3c.github.io/webcrypto/#sha and Cloudflare's crypto.subtle.timingSafeEqual.
#include "api/crypto/webcrypto.h"

namespace wisp::api::crypto {

std::vector<uint8_t> WebCryptoOps::digest(std::string hash, js::BufferSource data) {
  ClearErrorsOnExit clear;
  const EVP_MD* md = digestNamed(hash);
  std::vector<uint8_t> out(static_cast<size_t>(EVP_MD_get_size(md)));
  unsigned int size = 0;
  if (EVP_Digest(nonNull(data.bytes), data.bytes.size(), out.data(), &size, md, nullptr) != 1) {
    operationError("The digest could not be computed.");
  }
  out.resize(size);
  return out;
}

// Not constant time in the length, as in Workers: equal lengths are required.
bool WebCryptoOps::timingSafeEqual(js::BufferSource a, js::BufferSource b) {
  if (a.bytes.size() != b.bytes.size()) throw js::TypeError("Input buffers must have the same byte length.");
  return CRYPTO_memcmp(nonNull(a.bytes), nonNull(b.bytes), a.bytes.size()) == 0;
}

}  // namespace wisp::api::crypto
