// The JS-visible table of the native WebCrypto operations (see webcrypto.h and ops.js).
#include "api/crypto/webcrypto.h"

namespace wisp::api::crypto {

void WebCryptoOps::define(js::ClassBuilder<WebCryptoOps>& c) {
  c.method<&WebCryptoOps::importSecret>("importSecret");
  c.method<&WebCryptoOps::generateSecret>("generateSecret");
  c.method<&WebCryptoOps::exportSecret>("exportSecret");
  c.method<&WebCryptoOps::importSpki>("importSpki");
  c.method<&WebCryptoOps::importPkcs8>("importPkcs8");
  c.method<&WebCryptoOps::exportSpki>("exportSpki");
  c.method<&WebCryptoOps::exportPkcs8>("exportPkcs8");
  c.method<&WebCryptoOps::keyDetails>("keyDetails");
  c.method<&WebCryptoOps::publicKeyOf>("publicKeyOf");
  c.method<&WebCryptoOps::digest>("digest");
  c.method<&WebCryptoOps::timingSafeEqual>("timingSafeEqual");
  c.method<&WebCryptoOps::hmacSign>("hmacSign");
  c.method<&WebCryptoOps::hmacVerify>("hmacVerify");
  c.method<&WebCryptoOps::aesCbc>("aesCbc");
  c.method<&WebCryptoOps::aesCtr>("aesCtr");
  c.method<&WebCryptoOps::aesGcm>("aesGcm");
  c.method<&WebCryptoOps::aesKw>("aesKw");
  c.method<&WebCryptoOps::generateRsa>("generateRsa");
  c.method<&WebCryptoOps::importRsaJwk>("importRsaJwk");
  c.method<&WebCryptoOps::exportRsaJwk>("exportRsaJwk");
  c.method<&WebCryptoOps::rsaPublicExponent>("rsaPublicExponent");
  c.method<&WebCryptoOps::rsaSign>("rsaSign");
  c.method<&WebCryptoOps::rsaVerify>("rsaVerify");
  c.method<&WebCryptoOps::rsaOaep>("rsaOaep");
  c.method<&WebCryptoOps::generateEc>("generateEc");
  c.method<&WebCryptoOps::importEcRaw>("importEcRaw");
  c.method<&WebCryptoOps::exportEcRaw>("exportEcRaw");
  c.method<&WebCryptoOps::importEcJwk>("importEcJwk");
  c.method<&WebCryptoOps::exportEcJwk>("exportEcJwk");
  c.method<&WebCryptoOps::ecdsaSign>("ecdsaSign");
  c.method<&WebCryptoOps::ecdsaVerify>("ecdsaVerify");
  c.method<&WebCryptoOps::deriveShared>("deriveShared");
  c.method<&WebCryptoOps::generateOkp>("generateOkp");
  c.method<&WebCryptoOps::importOkpRaw>("importOkpRaw");
  c.method<&WebCryptoOps::exportOkpRaw>("exportOkpRaw");
  c.method<&WebCryptoOps::eddsaSign>("eddsaSign");
  c.method<&WebCryptoOps::eddsaVerify>("eddsaVerify");
  c.method<&WebCryptoOps::pbkdf2>("pbkdf2");
  c.method<&WebCryptoOps::hkdf>("hkdf");
}

js::Value webCryptoOps(js::Lock& js) { return js::makeStatelessInstance(js, js::classInfo<WebCryptoOps>()); }

}  // namespace wisp::api::crypto
