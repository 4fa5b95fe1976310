// JSON Web Tokens with jose, on wisp's WebCrypto: HS256 with a shared secret and ES256 with a
// generated P-256 key pair; a token is issued, verified, and a tampered one is refused.
import { SignJWT, jwtVerify, generateKeyPair, exportJWK } from "jose";

const secret = new TextEncoder().encode("a-shared-secret-of-at-least-32-bytes!");

async function roundTrip(alg, signKey, verifyKey) {
  const token = await new SignJWT({ sub: "user-1", role: "admin" })
    .setProtectedHeader({ alg })
    .setIssuedAt()
    .setIssuer("wisp-example")
    .setExpirationTime("2h")
    .sign(signKey);
  const { payload, protectedHeader } = await jwtVerify(token, verifyKey, { issuer: "wisp-example" });
  // Flip one character of the signature: verification must fail.
  const tampered = token.slice(0, -2) + (token.at(-2) === "A" ? "B" : "A") + token.at(-1);
  let tamperedError = null;
  try {
    await jwtVerify(tampered, verifyKey);
  } catch (e) {
    tamperedError = e.code;
  }
  return { alg: protectedHeader.alg, sub: payload.sub, role: payload.role, parts: token.split(".").length, tamperedError };
}

export default {
  async fetch() {
    const { publicKey, privateKey } = await generateKeyPair("ES256");
    const jwk = await exportJWK(publicKey);
    return Response.json({
      hs256: await roundTrip("HS256", secret, secret),
      es256: await roundTrip("ES256", privateKey, publicKey),
      publicJwk: { kty: jwk.kty, crv: jwk.crv, hasD: "d" in jwk },
    });
  },
};
