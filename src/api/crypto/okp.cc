// https://w3c.github.io/webcrypto/#ed25519, #x25519, and Ed448 / X448 from the Secure Curves
// draft (https://wicg.github.io/webcrypto-secure-curves/): keys that are plain byte strings.
// X25519/X448 key agreement is deriveShared in ec.cc.
#include <algorithm>

#include "api/crypto/webcrypto.h"

namespace wisp::api::crypto {

namespace {

struct OkpType {
  int id;
  const char* opensslName;
  size_t keyBytes;
  size_t signatureBytes;  // 0 for the key agreement curves
};

OkpType okpNamed(const std::string& kind) {
  if (kind == "Ed25519") return {EVP_PKEY_ED25519, "ED25519", 32, 64};
  if (kind == "X25519") return {EVP_PKEY_X25519, "X25519", 32, 0};
  if (kind == "Ed448") return {EVP_PKEY_ED448, "ED448", 57, 114};
  if (kind == "X448") return {EVP_PKEY_X448, "X448", 56, 0};
  notSupported("Unrecognized key type \"" + kind + "\".");
}

bool isEdwards(const KeyMaterial& key) {
  if (key.isSecret()) return false;
  int id = EVP_PKEY_get_base_id(key.pkey());
  return id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448;
}

// The y-coordinates of Ed25519's eight small-order points, as encoded (little-endian, the
// x sign bit clear), including the non-canonical encodings p and p + 1 of 0 and 1.
constexpr uint8_t kSmallOrderY[][32] = {
    {0},
    {1},
    {0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0,
     0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05},
    {0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f,
     0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a},
    {0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},  // p - 1
    {0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},  // p
    {0xee, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},  // p + 1
};

bool hasSmallOrder(std::span<const uint8_t> point) {
  for (const auto& y : kSmallOrderY) {
    if (std::equal(y, y + 31, point.begin()) && (point[31] & 0x7f) == y[31]) return true;
  }
  return false;
}

}  // namespace

std::vector<Key> WebCryptoOps::generateOkp(std::string kind) {
  ClearErrorsOnExit clear;
  OkpType type = okpNamed(kind);
  EvpPkey key(EVP_PKEY_Q_keygen(nullptr, nullptr, type.opensslName));
  if (!key) operationError("The " + kind + " key pair could not be generated.");
  Key privateKey = js::make<KeyMaterial>(std::move(key), true);
  return {publicKeyOf(privateKey), privateKey};
}

Key WebCryptoOps::importOkpRaw(std::string kind, js::BufferSource bytes, bool isPrivate) {
  ClearErrorsOnExit clear;
  OkpType type = okpNamed(kind);
  if (bytes.bytes.size() != type.keyBytes) {
    dataError("An " + kind + " " + (isPrivate ? "private" : "public") + " key must be " +
              std::to_string(type.keyBytes) + " bytes long.");
  }
  EvpPkey key(isPrivate ? EVP_PKEY_new_raw_private_key(type.id, nullptr, bytes.bytes.data(), bytes.bytes.size())
                        : EVP_PKEY_new_raw_public_key(type.id, nullptr, bytes.bytes.data(), bytes.bytes.size()));
  if (!key) dataError("The key data is not a valid " + kind + " key.");
  return js::make<KeyMaterial>(std::move(key), isPrivate);
}

std::vector<uint8_t> WebCryptoOps::exportOkpRaw(Key key, bool privatePart) {
  ClearErrorsOnExit clear;
  EVP_PKEY* pkey = key->pkey();
  if (privatePart && !key->isPrivate()) invalidAccess("The key is not a private key.");
  size_t size = 0;
  auto get = privatePart ? EVP_PKEY_get_raw_private_key : EVP_PKEY_get_raw_public_key;
  if (get(pkey, nullptr, &size) != 1) operationError("The key could not be exported.");
  std::vector<uint8_t> out(size);
  if (get(pkey, out.data(), &size) != 1) operationError("The key could not be exported.");
  out.resize(size);
  return out;
}

std::vector<uint8_t> WebCryptoOps::eddsaSign(Key key, js::BufferSource data) {
  ClearErrorsOnExit clear;
  if (!isEdwards(*key)) invalidAccess("The key is not an Ed25519 or Ed448 key.");
  EvpMdCtx ctx(EVP_MD_CTX_new());
  if (!ctx) throw std::bad_alloc();
  size_t size = 0;
  if (EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key->pkey()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &size, nonNull(data.bytes), data.bytes.size()) != 1) {
    operationError("EdDSA signing failed.");
  }
  std::vector<uint8_t> out(size);
  if (EVP_DigestSign(ctx.get(), out.data(), &size, nonNull(data.bytes), data.bytes.size()) != 1) {
    operationError("EdDSA signing failed.");
  }
  out.resize(size);
  return out;
}

bool WebCryptoOps::eddsaVerify(Key key, js::BufferSource signature, js::BufferSource data) {
  ClearErrorsOnExit clear;
  if (!isEdwards(*key)) invalidAccess("The key is not an Ed25519 or Ed448 key.");
  // https://w3c.github.io/webcrypto/#ed25519-operations: a small-order public key or R never
  // verifies (RFC 8032 leaves it open; OpenSSL accepts them).
  if (EVP_PKEY_get_base_id(key->pkey()) == EVP_PKEY_ED25519) {
    uint8_t publicKey[32];
    size_t size = sizeof(publicKey);
    if (EVP_PKEY_get_raw_public_key(key->pkey(), publicKey, &size) != 1 || size != 32) {
      operationError("The Ed25519 key could not be read.");
    }
    if (signature.bytes.size() != 64 || hasSmallOrder(publicKey) || hasSmallOrder(signature.bytes.first(32))) {
      return false;
    }
  }
  EvpMdCtx ctx(EVP_MD_CTX_new());
  if (!ctx) throw std::bad_alloc();
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key->pkey()) != 1) {
    operationError("EdDSA verification could not be set up.");
  }
  return EVP_DigestVerify(ctx.get(), nonNull(signature.bytes), signature.bytes.size(), nonNull(data.bytes),
                          data.bytes.size()) == 1;
}

}  // namespace wisp::api::crypto
