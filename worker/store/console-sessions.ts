import { and, eq, gt, lt } from "drizzle-orm";
import { consoleSessions, type ConsoleSessionRow } from "../../schema";
import type { Database } from "./db";

/** Stores a new console session (sign-in); expired sessions are cleared on the way. */
export async function insertSession(db: Database, row: ConsoleSessionRow): Promise<void> {
  await db.batch([db.delete(consoleSessions).where(lt(consoleSessions.expiresAt, row.createdAt)), db.insert(consoleSessions).values(row)]);
}

/** The session whose id hashes to `idHash`, while it has not expired. */
export function findSession(db: Database, idHash: string, now: number): Promise<ConsoleSessionRow | undefined> {
  return db
    .select()
    .from(consoleSessions)
    .where(and(eq(consoleSessions.idHash, idHash), gt(consoleSessions.expiresAt, now)))
    .get();
}

/** Ends a session (sign-out). */
export async function deleteSession(db: Database, idHash: string): Promise<void> {
  await db.delete(consoleSessions).where(eq(consoleSessions.idHash, idHash));
}
