import { type ApiKeyRepository, hashApiKey } from "@reports/db";
import { createRemoteJWKSet, type JWTVerifyGetKey, jwtVerify } from "jose";
import { LRUCache } from "lru-cache";
import type { BffSettings } from "./env";
import { ApiError } from "./errors";

/** Who is calling: the owner of every request they make. */
export type Authenticate = (authorization: string | undefined) => Promise<string>;

export const ANONYMOUS = "anonymous";

const unauthorized = (detail: string) => new ApiError("UNAUTHORIZED", detail);

function bearer(authorization: string | undefined): string {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  if (!match?.[1]) throw unauthorized("Send your key as `Authorization: Bearer <key>`.");
  return match[1];
}

/**
 * The authenticator of `AUTH_MODE`: `none` (everyone is `anonymous`), `apikey` (hashed keys in the
 * database) or `jwt` (HS256 secret or a JWKS URL, owner from a claim; verified by `jose`).
 */
export function createAuthenticator(
  settings: Pick<
    BffSettings,
    "AUTH_MODE" | "JWT_SECRET" | "JWT_JWKS_URL" | "JWT_ISSUER" | "JWT_AUDIENCE" | "JWT_OWNER_CLAIM"
  >,
  keys: ApiKeyRepository,
  options: { keyCacheSeconds?: number } = {},
): Authenticate {
  switch (settings.AUTH_MODE) {
    case "none":
      return async () => ANONYMOUS;
    case "apikey": {
      // Known keys are remembered for a short while (by hash): a status read is then one Redis GET, not a
      // database round trip too. A revoked key stops working within that time.
      const ttl = (options.keyCacheSeconds ?? 30) * 1000;
      const known = ttl > 0 ? new LRUCache<string, string>({ max: 10_000, ttl }) : null;
      return async (authorization) => {
        const key = bearer(authorization);
        const hash = hashApiKey(key);
        const cached = known?.get(hash);
        if (cached) return cached;
        const owner = await keys.ownerOf(key);
        if (!owner) throw unauthorized("This API key is not valid (unknown or revoked).");
        known?.set(hash, owner);
        return owner;
      };
    }
    case "jwt": {
      const key: Uint8Array | JWTVerifyGetKey = settings.JWT_JWKS_URL
        ? createRemoteJWKSet(new URL(settings.JWT_JWKS_URL))
        : new TextEncoder().encode(settings.JWT_SECRET ?? "");
      const claim = settings.JWT_OWNER_CLAIM;
      return async (authorization) => {
        const token = bearer(authorization);
        try {
          const { payload } = await jwtVerify(token, key as Uint8Array, {
            ...(settings.JWT_ISSUER ? { issuer: settings.JWT_ISSUER } : {}),
            ...(settings.JWT_AUDIENCE ? { audience: settings.JWT_AUDIENCE } : {}),
          });
          const owner = payload[claim];
          if (typeof owner !== "string" || owner === "") throw unauthorized(`The token has no "${claim}" claim.`);
          return owner;
        } catch (error) {
          if (error instanceof ApiError) throw error;
          throw unauthorized("This token is not valid (signature, expiry, issuer or audience).");
        }
      };
    }
  }
}
