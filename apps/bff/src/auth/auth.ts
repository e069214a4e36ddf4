import { type ApiKeyRepository, hashApiKey } from "@reports/db";
import { createRemoteJWKSet, type JWTVerifyGetKey, jwtVerify } from "jose";
import { LRUCache } from "lru-cache";
import type { BffSettings } from "../env";
import { ApiError } from "../http/errors";

/** Who is calling: the owner of every request they make, and whether they are an operator. */
export interface Caller {
  owner: string;
  /** May open the dashboard and call the `admin` procedures. */
  admin: boolean;
}
export interface Authenticate {
  (authorization: string | undefined): Promise<Caller>;
  /**
   * The caller when it is known without any I/O (an API key authenticated within API_KEY_CACHE_SECONDS), else
   * undefined: such a caller is let in without asking the failure limit (a Redis round trip) first.
   */
  peek?(authorization: string | undefined): Caller | undefined;
}

export const ANONYMOUS = "anonymous";

/** How long an unknown API key is answered 401 without asking the database (at most API_KEY_CACHE_SECONDS). */
export const UNKNOWN_KEY_CACHE_MS = 10_000;

const unauthorized = (detail: string) => new ApiError("UNAUTHORIZED", detail);

const BEARER = /^Bearer\s+(\S+)\s*$/i;

function bearer(authorization: string | undefined): string {
  const match = BEARER.exec(authorization ?? "");
  if (!match?.[1]) throw unauthorized("Send your key as `Authorization: Bearer <key>`.");
  return match[1];
}

/**
 * The authenticator of `AUTH_MODE`: `none` (everyone is `anonymous`, and an operator: this mode is refused in
 * production), `apikey` (hashed keys in the database; operators' keys made with `--admin`) or `jwt` (HS256 secret
 * or a JWKS URL, owner from a claim, operator by another; verified by `jose`).
 */
export function createAuthenticator(
  settings: Pick<
    BffSettings,
    | "AUTH_MODE"
    | "JWT_SECRET"
    | "JWT_JWKS_URL"
    | "JWT_ISSUER"
    | "JWT_AUDIENCE"
    | "JWT_MAX_AGE_SECONDS"
    | "JWT_OWNER_CLAIM"
    | "JWT_ADMIN_CLAIM"
    | "JWT_ADMIN_VALUE"
  >,
  keys: ApiKeyRepository,
  options: { keyCacheSeconds?: number } = {},
): Authenticate {
  switch (settings.AUTH_MODE) {
    case "none":
      return async () => ({ owner: ANONYMOUS, admin: true });
    case "apikey": {
      // Known keys are remembered for a short while (by hash): a status read is then one Redis GET, not a
      // database round trip too. A revoked key stops working within that time.
      // Unknown keys are remembered too, for less time (a flood of one bogus key is not a query per request).
      const ttl = (options.keyCacheSeconds ?? 30) * 1000;
      const known = ttl > 0 ? new LRUCache<string, Caller>({ max: 10_000, ttl }) : null;
      const unknownTtl = Math.min(ttl, UNKNOWN_KEY_CACHE_MS);
      const unknown = unknownTtl > 0 ? new LRUCache<string, true>({ max: 10_000, ttl: unknownTtl }) : null;
      const invalid = () => unauthorized("This API key is not valid (unknown or revoked).");
      const peek = (authorization: string | undefined) => {
        const key = BEARER.exec(authorization ?? "")?.[1];
        return key === undefined ? undefined : known?.get(hashApiKey(key));
      };
      const authenticate = async (authorization: string | undefined) => {
        const key = bearer(authorization);
        const hash = hashApiKey(key);
        const cached = known?.get(hash);
        if (cached) return cached;
        if (unknown?.has(hash)) throw invalid();
        const caller = await keys.callerOf(key);
        if (!caller) {
          unknown?.set(hash, true);
          throw invalid();
        }
        known?.set(hash, caller);
        return caller;
      };
      return Object.assign(authenticate, { peek });
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
            requiredClaims: ["exp"],
          });
          const now = Math.floor(Date.now() / 1000);
          const maxAge = settings.JWT_MAX_AGE_SECONDS;
          const tooOld = typeof payload.iat === "number" && now - payload.iat > maxAge;
          if ((payload.exp as number) - now > maxAge || tooOld) {
            throw unauthorized(`This token lives longer than the ${maxAge} s this API accepts (JWT_MAX_AGE_SECONDS).`);
          }
          const owner = payload[claim];
          if (typeof owner !== "string" || owner === "") throw unauthorized(`The token has no "${claim}" claim.`);
          const role = payload[settings.JWT_ADMIN_CLAIM];
          const admin = Array.isArray(role)
            ? role.includes(settings.JWT_ADMIN_VALUE)
            : role === settings.JWT_ADMIN_VALUE;
          return { owner, admin };
        } catch (error) {
          if (error instanceof ApiError) throw error;
          throw unauthorized("This token is not valid (signature, expiry or missing `exp`, issuer or audience).");
        }
      };
    }
  }
}
