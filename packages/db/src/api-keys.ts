import { hash, randomBytes } from "node:crypto";
import { and, asc, eq, isNull } from "drizzle-orm";
import type { Database } from "./client";
import { type ApiKeyRow, apiKeys } from "./schema";

/** Keys are 256 random bits, so a plain SHA-256 is enough to store them safely (no slow hash needed). */
export const hashApiKey = (key: string) => hash("sha256", key, "hex");

/**
 * API keys: created (the key is returned once and only its hash stored), looked up, listed, revoked.
 *
 * @example
 * const keys = createApiKeyRepository(db);
 * const { key } = await keys.create({ owner: "acme", name: "ci" });
 * await keys.ownerOf(key); // "acme"
 */
export function createApiKeyRepository(db: Database) {
  /** Who a live (not revoked) key belongs to and whether it is an operator's, or null. */
  async function callerOf(key: string): Promise<{ owner: string; admin: boolean } | null> {
    const [row] = await db
      .select({ owner: apiKeys.owner, admin: apiKeys.admin })
      .from(apiKeys)
      .where(and(eq(apiKeys.keyHash, hashApiKey(key)), isNull(apiKeys.revokedAt)))
      .limit(1);
    return row ?? null;
  }

  return {
    async create(input: {
      owner: string;
      name?: string;
      /** An operator's key (dashboard and `admin` procedures). */
      admin?: boolean;
    }): Promise<{ id: string; key: string; prefix: string }> {
      const key = `rpt_${randomBytes(32).toString("base64url")}`;
      const prefix = key.slice(0, 12);
      const [row] = await db
        .insert(apiKeys)
        .values({
          owner: input.owner,
          name: input.name ?? "",
          prefix,
          keyHash: hashApiKey(key),
          admin: input.admin ?? false,
        })
        .returning({ id: apiKeys.id });
      if (!row) throw new Error("insert returned no row");
      return { id: row.id, key, prefix };
    },

    /** The owner of a live (not revoked) key, or null. */
    async ownerOf(key: string): Promise<string | null> {
      return (await callerOf(key))?.owner ?? null;
    },

    callerOf,

    async list(owner?: string): Promise<Array<Omit<ApiKeyRow, "keyHash">>> {
      const query = db
        .select({
          id: apiKeys.id,
          owner: apiKeys.owner,
          name: apiKeys.name,
          prefix: apiKeys.prefix,
          admin: apiKeys.admin,
          createdAt: apiKeys.createdAt,
          revokedAt: apiKeys.revokedAt,
        })
        .from(apiKeys);
      return (owner ? query.where(eq(apiKeys.owner, owner)) : query).orderBy(asc(apiKeys.createdAt));
    },

    /** True when a live key was revoked. */
    async revoke(id: string): Promise<boolean> {
      const rows = await db
        .update(apiKeys)
        .set({ revokedAt: new Date() })
        .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
        .returning({ id: apiKeys.id });
      return rows.length === 1;
    },
  };
}
export type ApiKeyRepository = ReturnType<typeof createApiKeyRepository>;
