// https://w3c.github.io/webcrypto/#ecdsa and #ecdh on the NIST curves P-256, P-384 and P-521;
// deriveShared also serves X25519 and X448 (okp.cc).
#include <openssl/core_names.h>
#include <openssl/ec.h>

#include "api/crypto/webcrypto.h"

namespace wisp::api::crypto {

namespace {

struct Curve {
  const char* group;   // OpenSSL's name
  size_t fieldBytes;   // the size of a coordinate, of d, and of r and s in a signature
};

Curve curveNamed(const std::string& name) {
  if (name == "P-256") return {"prime256v1", 32};
  if (name == "P-384") return {"secp384r1", 48};
  if (name == "P-521") return {"secp521r1", 66};
  notSupported("Unrecognized elliptic curve \"" + name + "\".");
}

bool isEc(const KeyMaterial& key) { return !key.isSecret() && EVP_PKEY_get_base_id(key.pkey()) == EVP_PKEY_EC; }

size_t fieldBytesOf(const EVP_PKEY* key) { return static_cast<size_t>((EVP_PKEY_get_bits(key) + 7) / 8); }

// A key from its curve and encoded public point, plus the private scalar for a private key.
EvpPkey ecKeyFromData(const Curve& curve, std::span<const uint8_t> point, const BIGNUM* d) {
  ParamBuilder builder(OSSL_PARAM_BLD_new());
  if (!builder) throw std::bad_alloc();
  if (OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, curve.group, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1 ||
      (d && OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_PRIV_KEY, d) != 1)) {
    throw std::bad_alloc();
  }
  Params params(OSSL_PARAM_BLD_to_param(builder.get()));
  EvpPkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  if (!params || !ctx) throw std::bad_alloc();
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, d ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return nullptr;
  }
  EvpPkey key(raw);
  EvpPkeyCtx check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (!check) throw std::bad_alloc();
  if (EVP_PKEY_public_check(check.get()) != 1) return nullptr;
  if (d && !consistentPrivateKey(key.get())) return nullptr;
  return key;
}

std::pair<std::vector<uint8_t>, std::vector<uint8_t>> coordinates(const EVP_PKEY* key) {
  size_t width = fieldBytesOf(key);
  Bignum x = bignumParam(key, OSSL_PKEY_PARAM_EC_PUB_X);
  Bignum y = bignumParam(key, OSSL_PKEY_PARAM_EC_PUB_Y);
  if (!x || !y) operationError("The EC key's public point could not be read.");
  return {fromBignum(x.get(), width), fromBignum(y.get(), width)};
}

}  // namespace

std::vector<Key> WebCryptoOps::generateEc(std::string curve) {
  ClearErrorsOnExit clear;
  Curve c = curveNamed(curve);
  EvpPkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  if (!ctx) throw std::bad_alloc();
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_group_name(ctx.get(), c.group) != 1 ||
      EVP_PKEY_generate(ctx.get(), &raw) != 1) {
    operationError("The EC key pair could not be generated.");
  }
  Key privateKey = js::make<KeyMaterial>(EvpPkey(raw), true);
  return {publicKeyOf(privateKey), privateKey};
}

Key WebCryptoOps::importEcRaw(std::string curve, js::BufferSource point) {
  ClearErrorsOnExit clear;
  Curve c = curveNamed(curve);
  auto bytes = point.bytes;
  bool uncompressed = bytes.size() == 1 + 2 * c.fieldBytes && bytes[0] == 0x04;
  bool compressed = bytes.size() == 1 + c.fieldBytes && (bytes[0] == 0x02 || bytes[0] == 0x03);
  if (!uncompressed && !compressed) dataError("The key data is not a valid " + curve + " point.");
  EvpPkey key = ecKeyFromData(c, bytes, nullptr);
  if (!key) dataError("The key data is not a valid " + curve + " point.");
  preferUncompressedPoints(key.get());
  return js::make<KeyMaterial>(std::move(key), false);
}

std::vector<uint8_t> WebCryptoOps::exportEcRaw(Key key) {
  ClearErrorsOnExit clear;
  if (!isEc(*key)) invalidAccess("The key is not an EC key.");
  auto [x, y] = coordinates(key->pkey());
  std::vector<uint8_t> out{0x04};
  out.insert(out.end(), x.begin(), x.end());
  out.insert(out.end(), y.begin(), y.end());
  return out;
}

Key WebCryptoOps::importEcJwk(std::string curve, js::BufferSource x, js::BufferSource y,
                              std::optional<js::BufferSource> d) {
  ClearErrorsOnExit clear;
  Curve c = curveNamed(curve);
  if (x.bytes.size() != c.fieldBytes || y.bytes.size() != c.fieldBytes || (d && d->bytes.size() != c.fieldBytes)) {
    dataError("The JSON Web Key's coordinates have the wrong length for " + curve + ".");
  }
  std::vector<uint8_t> point{0x04};
  point.insert(point.end(), x.bytes.begin(), x.bytes.end());
  point.insert(point.end(), y.bytes.begin(), y.bytes.end());
  Bignum scalar = d ? toBignum(d->bytes) : nullptr;
  EvpPkey key = ecKeyFromData(c, point, scalar.get());
  if (!key) dataError("The JSON Web Key is not a valid " + curve + " key.");
  return js::make<KeyMaterial>(std::move(key), d.has_value());
}

std::vector<std::vector<uint8_t>> WebCryptoOps::exportEcJwk(Key key) {
  ClearErrorsOnExit clear;
  if (!isEc(*key)) invalidAccess("The key is not an EC key.");
  auto [x, y] = coordinates(key->pkey());
  std::vector<std::vector<uint8_t>> parts{std::move(x), std::move(y)};
  if (key->isPrivate()) {
    Bignum d = bignumParam(key->pkey(), OSSL_PKEY_PARAM_PRIV_KEY);
    if (!d) operationError("The EC key's private scalar could not be read.");
    parts.push_back(fromBignum(d.get(), fieldBytesOf(key->pkey())));
  }
  return parts;
}

// WebCrypto signatures are r || s, each the curve's field size (IEEE P1363), not DER.
std::vector<uint8_t> WebCryptoOps::ecdsaSign(std::string hash, Key key, js::BufferSource data) {
  ClearErrorsOnExit clear;
  if (!isEc(*key)) invalidAccess("The key is not an EC key.");
  EvpMdCtx ctx(EVP_MD_CTX_new());
  if (!ctx) throw std::bad_alloc();
  size_t size = 0;
  if (EVP_DigestSignInit(ctx.get(), nullptr, digestNamed(hash), nullptr, key->pkey()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &size, nonNull(data.bytes), data.bytes.size()) != 1) {
    operationError("ECDSA signing failed.");
  }
  std::vector<uint8_t> der(size);
  if (EVP_DigestSign(ctx.get(), der.data(), &size, nonNull(data.bytes), data.bytes.size()) != 1) {
    operationError("ECDSA signing failed.");
  }
  const unsigned char* p = der.data();
  std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG_free>> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(size)));
  if (!sig) operationError("ECDSA signing failed.");
  size_t width = fieldBytesOf(key->pkey());
  auto out = fromBignum(ECDSA_SIG_get0_r(sig.get()), width);
  auto s = fromBignum(ECDSA_SIG_get0_s(sig.get()), width);
  out.insert(out.end(), s.begin(), s.end());
  return out;
}

bool WebCryptoOps::ecdsaVerify(std::string hash, Key key, js::BufferSource signature, js::BufferSource data) {
  ClearErrorsOnExit clear;
  if (!isEc(*key)) invalidAccess("The key is not an EC key.");
  const EVP_MD* md = digestNamed(hash);
  size_t width = fieldBytesOf(key->pkey());
  if (signature.bytes.size() != 2 * width) return false;
  std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG_free>> sig(ECDSA_SIG_new());
  Bignum r = toBignum(signature.bytes.first(width));
  Bignum s = toBignum(signature.bytes.subspan(width));
  if (!sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) throw std::bad_alloc();
  r.release();  // owned by sig now
  s.release();
  int size = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (size <= 0) return false;
  std::vector<uint8_t> der(static_cast<size_t>(size));
  unsigned char* p = der.data();
  i2d_ECDSA_SIG(sig.get(), &p);
  EvpMdCtx ctx(EVP_MD_CTX_new());
  if (!ctx) throw std::bad_alloc();
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key->pkey()) != 1) {
    operationError("ECDSA verification could not be set up.");
  }
  return EVP_DigestVerify(ctx.get(), der.data(), der.size(), nonNull(data.bytes), data.bytes.size()) == 1;
}

std::vector<uint8_t> WebCryptoOps::deriveShared(Key privateKey, Key publicKey) {
  ClearErrorsOnExit clear;
  EvpPkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, privateKey->pkey(), nullptr));
  if (!ctx) throw std::bad_alloc();
  size_t size = 0;
  if (EVP_PKEY_derive_init(ctx.get()) != 1 || EVP_PKEY_derive_set_peer(ctx.get(), publicKey->pkey()) != 1 ||
      EVP_PKEY_derive(ctx.get(), nullptr, &size) != 1) {
    operationError("The keys cannot be used together for key agreement.");
  }
  std::vector<uint8_t> out(size);
  if (EVP_PKEY_derive(ctx.get(), out.data(), &size) != 1) {
    // X25519 and X448 refuse an all-zero result (a small-order public key), as the spec asks.
    operationError("Key agreement failed: the public key is not usable.");
  }
  out.resize(size);
  uint8_t any = 0;
  for (uint8_t b : out) any |= b;
  if (any == 0) operationError("Key agreement produced the all-zero value: the public key is of small order.");
  return out;
}

}  // namespace wisp::api::crypto
