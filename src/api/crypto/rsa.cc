// https://w3c.github.io/webcrypto/#rsassa-pkcs1, #rsa-pss, #rsa-oaep: keys and the byte work.
#include <openssl/core_names.h>
#include <openssl/rsa.h>

#include "api/crypto/webcrypto.h"

namespace wisp::api::crypto {

namespace {

// The JWK member order of parts (see importRsaJwk) and the OpenSSL parameter each one is.
constexpr const char* kParts[] = {
    OSSL_PKEY_PARAM_RSA_N,         OSSL_PKEY_PARAM_RSA_E,         OSSL_PKEY_PARAM_RSA_D,
    OSSL_PKEY_PARAM_RSA_FACTOR1,   OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1,
    OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
};

bool isRsa(const KeyMaterial& key) { return !key.isSecret() && EVP_PKEY_get_base_id(key.pkey()) == EVP_PKEY_RSA; }

// A signing or verifying context with the padding (and PSS salt) set.
EvpMdCtx signatureContext(bool sign, const std::string& padding, const std::string& hash, uint32_t saltLength,
                          const KeyMaterial& key) {
  if (!isRsa(key)) invalidAccess("The key is not an RSA key.");
  const EVP_MD* md = digestNamed(hash);
  EvpMdCtx ctx(EVP_MD_CTX_new());
  if (!ctx) throw std::bad_alloc();
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  int ok = sign ? EVP_DigestSignInit(ctx.get(), &pctx, md, nullptr, key.pkey())
                : EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, key.pkey());
  if (ok != 1) operationError("The RSA key cannot be used with this hash.");
  bool pss = padding == "pss";
  if (EVP_PKEY_CTX_set_rsa_padding(pctx, pss ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING) != 1) {
    operationError("The RSA padding could not be set.");
  }
  if (pss && (EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, static_cast<int>(saltLength)) != 1 ||
              EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) != 1)) {
    operationError("The RSA-PSS salt length is not supported.");
  }
  return ctx;
}

}  // namespace

bool rsaPartsAgree(const EVP_PKEY* key) {
  Bignum n = bignumParam(key, OSSL_PKEY_PARAM_RSA_N), e = bignumParam(key, OSSL_PKEY_PARAM_RSA_E),
         d = bignumParam(key, OSSL_PKEY_PARAM_RSA_D), p = bignumParam(key, OSSL_PKEY_PARAM_RSA_FACTOR1),
         q = bignumParam(key, OSSL_PKEY_PARAM_RSA_FACTOR2), dp = bignumParam(key, OSSL_PKEY_PARAM_RSA_EXPONENT1),
         dq = bignumParam(key, OSSL_PKEY_PARAM_RSA_EXPONENT2), qi = bignumParam(key, OSSL_PKEY_PARAM_RSA_COEFFICIENT1);
  if (!n || !e || !d) return false;
  if (!p || !q || !dp || !dq || !qi) return true;  // no CRT values: nothing to check d against
  std::unique_ptr<BN_CTX, Deleter<BN_CTX_free>> ctx(BN_CTX_new());
  Bignum t(BN_new()), pMinus1(BN_dup(p.get())), qMinus1(BN_dup(q.get()));
  if (!ctx || !t || !pMinus1 || !qMinus1 || !BN_sub_word(pMinus1.get(), 1) || !BN_sub_word(qMinus1.get(), 1)) {
    throw std::bad_alloc();
  }
  auto equals = [&](const BIGNUM* expected) { return BN_cmp(t.get(), expected) == 0; };
  // n = pq; e·d = 1 modulo p-1 and q-1; dp and dq are d reduced; qi is q's inverse modulo p.
  return BN_mul(t.get(), p.get(), q.get(), ctx.get()) && equals(n.get()) &&
         BN_mod_mul(t.get(), e.get(), d.get(), pMinus1.get(), ctx.get()) && BN_is_one(t.get()) &&
         BN_mod_mul(t.get(), e.get(), d.get(), qMinus1.get(), ctx.get()) && BN_is_one(t.get()) &&
         BN_nnmod(t.get(), d.get(), pMinus1.get(), ctx.get()) && equals(dp.get()) &&
         BN_nnmod(t.get(), d.get(), qMinus1.get(), ctx.get()) && equals(dq.get()) &&
         BN_mod_mul(t.get(), qi.get(), q.get(), p.get(), ctx.get()) && BN_is_one(t.get());
}

std::vector<Key> WebCryptoOps::generateRsa(uint32_t modulusLength, js::BufferSource publicExponent) {
  ClearErrorsOnExit clear;
  // As in Workers and browsers: the two exponents in use, and sizes that finish in reasonable
  // time (generation is the slow part of RSA).
  Bignum e = toBignum(publicExponent.bytes);
  if (!BN_is_word(e.get(), 3) && !BN_is_word(e.get(), 65537)) {
    operationError("The RSA public exponent must be 3 or 65537.");
  }
  if (modulusLength < 256 || modulusLength > 16384 || modulusLength % 8 != 0) {
    operationError("The RSA modulus length must be a multiple of 8 between 256 and 16384.");
  }
  EvpPkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  if (!ctx) throw std::bad_alloc();
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), static_cast<int>(modulusLength)) != 1 ||
      EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx.get(), e.get()) != 1 || EVP_PKEY_generate(ctx.get(), &raw) != 1) {
    operationError("The RSA key pair could not be generated.");
  }
  Key privateKey = js::make<KeyMaterial>(EvpPkey(raw), true);
  return {publicKeyOf(privateKey), privateKey};
}

Key WebCryptoOps::importRsaJwk(std::vector<js::BufferSource> parts) {
  ClearErrorsOnExit clear;
  if (parts.size() != 2 && parts.size() != 3 && parts.size() != 8) operationError("Unexpected RSA key parts.");
  ParamBuilder builder(OSSL_PARAM_BLD_new());
  if (!builder) throw std::bad_alloc();
  std::vector<Bignum> numbers;  // alive until the parameters are built
  for (size_t i = 0; i < parts.size(); i++) {
    numbers.push_back(toBignum(parts[i].bytes));
    if (OSSL_PARAM_BLD_push_BN(builder.get(), kParts[i], numbers.back().get()) != 1) throw std::bad_alloc();
  }
  Params params(OSSL_PARAM_BLD_to_param(builder.get()));
  EvpPkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  if (!params || !ctx) throw std::bad_alloc();
  bool isPrivate = parts.size() > 2;
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, isPrivate ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    dataError("The JSON Web Key is not a valid RSA key.");
  }
  EvpPkey key(raw);
  // OpenSSL's public check runs a primality test on n; oddness is the cheap part of it.
  const BIGNUM* n = numbers[0].get();
  const BIGNUM* e = numbers[1].get();
  if (!BN_is_odd(n) || BN_num_bits(n) < 256 || !BN_is_odd(e) || BN_is_one(e) || BN_cmp(e, n) >= 0) {
    dataError("The JSON Web Key is not a valid RSA public key.");
  }
  // Without the primes (a JWK with only "d") there is nothing to check the exponent against.
  if (parts.size() == 8 && !consistentPrivateKey(key.get())) dataError("The JSON Web Key is not a valid RSA private key.");
  return js::make<KeyMaterial>(std::move(key), isPrivate);
}

std::vector<std::vector<uint8_t>> WebCryptoOps::exportRsaJwk(Key key) {
  ClearErrorsOnExit clear;
  if (!isRsa(*key)) invalidAccess("The key is not an RSA key.");
  std::vector<std::vector<uint8_t>> parts;
  size_t count = key->isPrivate() ? 8 : 2;
  for (size_t i = 0; i < count; i++) {
    Bignum n = bignumParam(key->pkey(), kParts[i]);
    if (!n) {
      if (i >= 3) return {parts.begin(), parts.begin() + 3};  // a key imported without its primes
      operationError("The RSA key lacks a component.");
    }
    parts.push_back(fromBignum(n.get()));
  }
  return parts;
}

std::vector<uint8_t> WebCryptoOps::rsaPublicExponent(Key key) {
  ClearErrorsOnExit clear;
  if (!isRsa(*key)) invalidAccess("The key is not an RSA key.");
  Bignum e = bignumParam(key->pkey(), OSSL_PKEY_PARAM_RSA_E);
  if (!e) operationError("The RSA key lacks its public exponent.");
  return fromBignum(e.get());
}

std::vector<uint8_t> WebCryptoOps::rsaSign(std::string padding, std::string hash, uint32_t saltLength, Key key,
                                           js::BufferSource data) {
  ClearErrorsOnExit clear;
  auto ctx = signatureContext(true, padding, hash, saltLength, *key);
  size_t size = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &size, nonNull(data.bytes), data.bytes.size()) != 1) {
    operationError("RSA signing failed.");
  }
  std::vector<uint8_t> out(size);
  if (EVP_DigestSign(ctx.get(), out.data(), &size, nonNull(data.bytes), data.bytes.size()) != 1) {
    operationError(padding == "pss" ? "RSA-PSS signing failed: the salt is too long for this key and hash."
                                    : "RSA signing failed: the key is too small for this hash.");
  }
  out.resize(size);
  return out;
}

bool WebCryptoOps::rsaVerify(std::string padding, std::string hash, uint32_t saltLength, Key key,
                             js::BufferSource signature, js::BufferSource data) {
  ClearErrorsOnExit clear;
  auto ctx = signatureContext(false, padding, hash, saltLength, *key);
  return EVP_DigestVerify(ctx.get(), nonNull(signature.bytes), signature.bytes.size(), nonNull(data.bytes),
                          data.bytes.size()) == 1;
}

std::vector<uint8_t> WebCryptoOps::rsaOaep(bool encrypt, std::string hash, Key key, js::BufferSource label,
                                           js::BufferSource data) {
  ClearErrorsOnExit clear;
  if (!isRsa(*key)) invalidAccess("The key is not an RSA key.");
  const EVP_MD* md = digestNamed(hash);
  EvpPkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key->pkey(), nullptr));
  if (!ctx) throw std::bad_alloc();
  if ((encrypt ? EVP_PKEY_encrypt_init(ctx.get()) : EVP_PKEY_decrypt_init(ctx.get())) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), md) != 1 || EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), md) != 1) {
    operationError("RSA-OAEP could not be set up.");
  }
  if (!label.bytes.empty()) {
    std::unique_ptr<void, OpenSslFree> copy(OPENSSL_memdup(label.bytes.data(), label.bytes.size()));
    if (!copy) throw std::bad_alloc();
    if (EVP_PKEY_CTX_set0_rsa_oaep_label(ctx.get(), copy.get(), static_cast<int>(label.bytes.size())) != 1) {
      operationError("The RSA-OAEP label could not be set.");
    }
    copy.release();  // owned by ctx now
  }
  auto op = encrypt ? EVP_PKEY_encrypt : EVP_PKEY_decrypt;
  size_t size = 0;
  if (op(ctx.get(), nullptr, &size, nonNull(data.bytes), data.bytes.size()) != 1) {
    operationError(encrypt ? "RSA-OAEP encryption failed." : "RSA-OAEP decryption failed.");
  }
  std::vector<uint8_t> out(size);
  if (op(ctx.get(), out.data(), &size, nonNull(data.bytes), data.bytes.size()) != 1) {
    operationError(encrypt ? "RSA-OAEP encryption failed: the data is too long for this key and hash."
                           : "RSA-OAEP decryption failed.");
  }
  out.resize(size);
  return out;
}

}  // namespace wisp::api::crypto
