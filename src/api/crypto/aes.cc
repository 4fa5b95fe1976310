// https://w3c.github.io/webcrypto/#aes-ctr, #aes-cbc, #aes-gcm, #aes-kw: the byte work. The JS
// half has checked the key length (128, 192 or 256 bits), the IV and counter sizes, and the
// tag length.
#include <openssl/core_names.h>

#include "api/crypto/webcrypto.h"

namespace wisp::api::crypto {

namespace {

enum class Mode { Cbc, Ctr, Gcm, Wrap };

const EVP_CIPHER* cipherFor(Mode mode, size_t keyBytes) {
  int bits = static_cast<int>(keyBytes * 8);
  switch (mode) {
    case Mode::Cbc: return bits == 128 ? EVP_aes_128_cbc() : bits == 192 ? EVP_aes_192_cbc() : bits == 256 ? EVP_aes_256_cbc() : nullptr;
    case Mode::Ctr: return bits == 128 ? EVP_aes_128_ctr() : bits == 192 ? EVP_aes_192_ctr() : bits == 256 ? EVP_aes_256_ctr() : nullptr;
    case Mode::Gcm: return bits == 128 ? EVP_aes_128_gcm() : bits == 192 ? EVP_aes_192_gcm() : bits == 256 ? EVP_aes_256_gcm() : nullptr;
    case Mode::Wrap: return bits == 128 ? EVP_aes_128_wrap() : bits == 192 ? EVP_aes_192_wrap() : bits == 256 ? EVP_aes_256_wrap() : nullptr;
  }
  return nullptr;
}

// A cipher context keyed for one operation. The IV is set separately for GCM (its length
// first).
EvpCipherCtx start(Mode mode, const KeyMaterial& key, bool encrypt, std::span<const uint8_t> iv) {
  auto secret = key.secret();
  const EVP_CIPHER* cipher = cipherFor(mode, secret.size());
  if (!cipher) operationError("The AES key must be 128, 192 or 256 bits long.");
  EvpCipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) throw std::bad_alloc();
  if (mode == Mode::Wrap) EVP_CIPHER_CTX_set_flags(ctx.get(), EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
  if (EVP_CipherInit_ex(ctx.get(), cipher, nullptr, nullptr, nullptr, encrypt ? 1 : 0) != 1) {
    operationError("The cipher could not be initialised.");
  }
  if (mode == Mode::Gcm &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(iv.size()), nullptr) != 1) {
    operationError("The AES-GCM IV length is not supported.");
  }
  if (EVP_CipherInit_ex(ctx.get(), nullptr, nullptr, secret.data(), iv.empty() ? nullptr : iv.data(),
                        encrypt ? 1 : 0) != 1) {
    operationError("The cipher could not be initialised.");
  }
  return ctx;
}

// Runs all of `in` through `ctx` and finishes it; appends to `out`.
bool run(EVP_CIPHER_CTX* ctx, std::span<const uint8_t> in, std::vector<uint8_t>& out) {
  size_t start = out.size();
  out.resize(start + in.size() + EVP_MAX_BLOCK_LENGTH);
  int written = 0;
  if (!in.empty() && EVP_CipherUpdate(ctx, out.data() + start, &written, in.data(), static_cast<int>(in.size())) != 1) {
    return false;
  }
  int final = 0;
  if (EVP_CipherFinal_ex(ctx, out.data() + start + written, &final) != 1) return false;
  out.resize(start + static_cast<size_t>(written) + static_cast<size_t>(final));
  return true;
}

using u128 = unsigned __int128;

u128 readCounter(std::span<const uint8_t> block) {
  u128 v = 0;
  for (uint8_t b : block) v = (v << 8) | b;
  return v;
}

void writeCounter(u128 v, std::span<uint8_t> block) {
  for (size_t i = block.size(); i-- > 0;) {
    block[i] = static_cast<uint8_t>(v);
    v >>= 8;
  }
}

}  // namespace

std::vector<uint8_t> WebCryptoOps::aesCbc(bool encrypt, Key key, js::BufferSource iv, js::BufferSource data) {
  ClearErrorsOnExit clear;
  if (iv.bytes.size() != 16) operationError("The AES-CBC iv must be 16 bytes long.");
  auto ctx = start(Mode::Cbc, *key, encrypt, iv.bytes);
  std::vector<uint8_t> out;
  if (!run(ctx.get(), data.bytes, out)) {
    operationError(encrypt ? "AES-CBC encryption failed." : "AES-CBC decryption failed: the data or its padding is invalid.");
  }
  return out;
}

// The counter's rightmost `lengthBits` bits count blocks and wrap around within themselves
// (https://w3c.github.io/webcrypto/#aes-ctr-operations); OpenSSL carries into the whole block,
// so a message that wraps is done in two pieces.
std::vector<uint8_t> WebCryptoOps::aesCtr(bool, Key key, js::BufferSource counter, uint32_t lengthBits,
                                          js::BufferSource data) {
  ClearErrorsOnExit clear;
  if (counter.bytes.size() != 16) operationError("The AES-CTR counter must be 16 bytes long.");
  if (lengthBits == 0 || lengthBits > 128) operationError("The AES-CTR length must be between 1 and 128 bits.");
  u128 block = readCounter(counter.bytes);
  uint64_t blocks = (data.bytes.size() + 15) / 16;
  u128 firstPiece = blocks;  // blocks before the counter wraps
  if (lengthBits < 128) {
    u128 mask = (u128(1) << lengthBits) - 1;
    u128 space = (mask - (block & mask)) + 1;
    if (u128(blocks) > mask + 1) operationError("The data is too long for the AES-CTR counter length.");
    if (u128(blocks) > space) firstPiece = space;
  }
  std::vector<uint8_t> out;
  out.reserve(data.bytes.size() + EVP_MAX_BLOCK_LENGTH);
  size_t firstBytes = std::min(data.bytes.size(), static_cast<size_t>(firstPiece) * 16);
  auto ctx = start(Mode::Ctr, *key, true, counter.bytes);
  if (!run(ctx.get(), data.bytes.first(firstBytes), out)) operationError("AES-CTR failed.");
  if (firstBytes < data.bytes.size()) {
    u128 mask = (u128(1) << lengthBits) - 1;
    uint8_t wrapped[16];
    writeCounter(block & ~mask, wrapped);
    auto rest = start(Mode::Ctr, *key, true, wrapped);
    if (!run(rest.get(), data.bytes.subspan(firstBytes), out)) operationError("AES-CTR failed.");
  }
  return out;
}

std::vector<uint8_t> WebCryptoOps::aesGcm(bool encrypt, Key key, js::BufferSource iv, js::BufferSource additionalData,
                                          uint32_t tagLengthBits, js::BufferSource data) {
  ClearErrorsOnExit clear;
  if (iv.bytes.empty()) operationError("The AES-GCM iv must not be empty.");
  size_t tagBytes = tagLengthBits / 8;
  std::span<const uint8_t> input = data.bytes;
  std::span<const uint8_t> tag;
  if (!encrypt) {
    if (input.size() < tagBytes) operationError("The data is shorter than the AES-GCM tag.");
    tag = input.last(tagBytes);
    input = input.first(input.size() - tagBytes);
  }
  auto ctx = start(Mode::Gcm, *key, encrypt, iv.bytes);
  int ignored = 0;
  if (!additionalData.bytes.empty() &&
      EVP_CipherUpdate(ctx.get(), nullptr, &ignored, additionalData.bytes.data(),
                       static_cast<int>(additionalData.bytes.size())) != 1) {
    operationError("The AES-GCM additional data could not be processed.");
  }
  std::vector<uint8_t> out;
  if (encrypt) {
    if (!run(ctx.get(), input, out)) operationError("AES-GCM encryption failed.");
    size_t end = out.size();
    out.resize(end + tagBytes);
    if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(tagBytes), out.data() + end) != 1) {
      operationError("The AES-GCM tag could not be computed.");
    }
    return out;
  }
  std::vector<uint8_t> expected(tag.begin(), tag.end());
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(tagBytes), expected.data()) != 1) {
    operationError("The AES-GCM tag length is not supported.");
  }
  if (!run(ctx.get(), input, out)) operationError("AES-GCM decryption failed: the data or the tag is not authentic.");
  return out;
}

std::vector<uint8_t> WebCryptoOps::aesKw(bool wrap, Key key, js::BufferSource data) {
  ClearErrorsOnExit clear;
  size_t size = data.bytes.size();
  if (size % 8 != 0 || size < (wrap ? 16u : 24u)) {
    operationError(wrap ? "AES-KW can only wrap data that is a multiple of 8 bytes long, at least 16."
                        : "AES-KW wrapped data must be a multiple of 8 bytes long, at least 24.");
  }
  auto ctx = start(Mode::Wrap, *key, wrap, {});
  std::vector<uint8_t> out;
  if (!run(ctx.get(), data.bytes, out)) operationError(wrap ? "AES-KW wrapping failed." : "AES-KW unwrapping failed: the data is not authentic.");
  return out;
}

}  // namespace wisp::api::crypto
