import { eq } from "drizzle-orm";
import { sites } from "../../schema";
import type { Database } from "./db";

/** The site's identity secret; null when the site has none yet (or the site is unknown). */
export async function identitySecretOf(db: Database, siteId: string): Promise<string | null> {
  const row = await db.select({ secret: sites.identitySecret }).from(sites).where(eq(sites.id, siteId)).get();
  return row?.secret ?? null;
}

/** Replaces the site's identity secret; false when the site is unknown. */
export async function setIdentitySecret(db: Database, siteId: string, secret: string): Promise<boolean> {
  const rows = await db.update(sites).set({ identitySecret: secret }).where(eq(sites.id, siteId)).returning({ id: sites.id });
  return rows.length === 1;
}
