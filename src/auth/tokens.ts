/**
 * Bearer tokens (JWT, verified with jose): who calls (`sub`), for which tenant (`tenant`) and
 * as which client class (`class`). HS256 with a shared secret in the embedded stack; a JWKS URL
 * or a public key for real deployments.
 */
import { createRemoteJWKSet, errors, importSPKI, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { clientClasses, type AuthOptions, type ClientClass } from '../config.js';
import { UnauthenticatedError } from '../errors.js';

export interface Principal {
  subject: string;
  tenant: string;
  clientClass: ClientClass;
}

const claimsSchema = z.object({
  sub: z.string().min(1),
  tenant: z.string().min(1),
  class: z.string(),
});

export type TokenVerifier = (token: string) => Promise<Principal>;

export function createTokenVerifier(auth: AuthOptions): TokenVerifier {
  let key: JWTVerifyGetKey | Promise<CryptoKey>;
  let algorithms: string[];
  if ('hs256Secret' in auth) {
    // Imported once: given raw bytes, jose imports the key again on every verification, which
    // was the largest single cost of a small request.
    key = crypto.subtle.importKey('raw', new TextEncoder().encode(auth.hs256Secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    algorithms = ['HS256'];
  } else if ('jwksUrl' in auth) {
    key = createRemoteJWKSet(new URL(auth.jwksUrl));
    algorithms = ['RS256', 'ES256', 'EdDSA'];
  } else {
    key = importSPKI(auth.publicKeyPem, auth.algorithm);
    algorithms = [auth.algorithm];
  }

  const verify = async (token: string): Promise<{ principal: Principal; expiresAt?: number }> => {
    let payload: JWTPayload;
    try {
      const resolved = key instanceof Promise ? await key : key;
      ({ payload } = await jwtVerify(token, resolved as CryptoKey, { algorithms, issuer: auth.issuer, audience: auth.audience }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw new UnauthenticatedError('The token has expired.');
      if (error instanceof errors.JWSSignatureVerificationFailed) throw new UnauthenticatedError('The token signature is invalid.');
      if (error instanceof errors.JWTClaimValidationFailed) throw new UnauthenticatedError(`The token's "${error.claim}" claim is not accepted here.`);
      throw new UnauthenticatedError('The token is not a valid JWT for this gateway.');
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) throw new UnauthenticatedError('The token lacks the sub, tenant or class claim.');
    const clientClass = claims.data.class;
    if (!(clientClasses as readonly string[]).includes(clientClass)) {
      throw new UnauthenticatedError(`Unknown client class "${clientClass}" (known: ${clientClasses.join(', ')}).`);
    }
    const principal = { subject: claims.data.sub, tenant: claims.data.tenant, clientClass: clientClass as ClientClass };
    return { principal, expiresAt: payload.exp === undefined ? undefined : payload.exp * 1000 };
  };

  // A service sends the same token with every request: checking its signature once a minute
  // instead of every time saves a twentieth of a small request's CPU. An entry never outlives
  // the token's exp, so an expired token is verified again and refused as expired.
  const verified = new LRUCache<string, { principal: Principal; validUntil: number }>({ max: 10_000 });
  return async (token) => {
    const hit = verified.get(token);
    if (hit && Date.now() < hit.validUntil) return hit.principal;
    const { principal, expiresAt = Infinity } = await verify(token);
    verified.set(token, { principal, validUntil: Math.min(expiresAt, Date.now() + VERIFIED_TOKEN_TTL_MS) });
    return principal;
  };
}

/** How long a verified token is trusted without checking its signature again (key rotation lag). */
const VERIFIED_TOKEN_TTL_MS = 60_000;

export interface DevTokenOptions {
  clientClass: string;
  tenant: string;
  subject?: string;
  /** jose time span ('8h', '30d') or a NumericDate; in the past for an expired token. */
  expiresIn?: string | number;
}

/** A token signed with the stack's HS256 secret (`npm run token`, tests, dev GraphiQL). */
export function signDevToken(secret: string, { clientClass, tenant, subject = `dev-${clientClass}`, expiresIn = '8h' }: DevTokenOptions): Promise<string> {
  return new SignJWT({ tenant, class: clientClass })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}
