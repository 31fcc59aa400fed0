import type { Database } from "../store/db";
import { visitorIdByEmail } from "../store/visitor-reads";
import { sha256Hex } from "../lib/hash";

/** A stable visitor id for a lead first known by email, so retries and later events find the same one. */
export async function visitorIdForEmail(siteId: string, email: string): Promise<string> {
  return `em-${(await sha256Hex(`${siteId}\n${email}`)).slice(0, 32)}`;
}

/** The lead identified with an email, or the id a new lead for it starts with (email in lowercase). */
export async function leadIdForEmail(db: Database, siteId: string, email: string): Promise<string> {
  return (await visitorIdByEmail(db, siteId, email)) ?? (await visitorIdForEmail(siteId, email));
}
