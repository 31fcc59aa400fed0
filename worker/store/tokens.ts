import { and, asc, eq, isNull } from "drizzle-orm";
import { apiTokens, type ApiTokenRow } from "../../schema";
import type { Database } from "./db";

/** The valid (not revoked) token whose secret hashes to `hash`, or undefined. */
export function findLiveToken(db: Database, hash: string): Promise<ApiTokenRow | undefined> {
  return db.select().from(apiTokens).where(and(eq(apiTokens.hash, hash), isNull(apiTokens.revokedAt))).get();
}

/** Stores a new token (its hash only). */
export async function insertToken(db: Database, token: ApiTokenRow): Promise<void> {
  await db.insert(apiTokens).values(token);
}

/** Every token, revoked ones included, oldest first. */
export function listTokens(db: Database): Promise<ApiTokenRow[]> {
  return db.select().from(apiTokens).orderBy(asc(apiTokens.createdAt), asc(apiTokens.id));
}

/** Revokes a token; answers the row as it now is, or undefined for an unknown id. Revoking twice keeps the first time. */
export async function revokeToken(db: Database, id: string, now: number): Promise<ApiTokenRow | undefined> {
  const [, rows] = await db.batch([
    db.update(apiTokens).set({ revokedAt: now }).where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt))),
    db.select().from(apiTokens).where(eq(apiTokens.id, id)),
  ]);
  return rows[0];
}
