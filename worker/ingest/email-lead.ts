import type { Database } from "../store/db";
import { visitorIdByEmail } from "../store/visitor-reads";
import { hex } from "../lib/hash";
import { IDENTIFY, VERIFIED_PROP } from "../scoring/engine";

/**
 * The visitor id of a new lead first known by email: random, so no one outside can compute it and send
 * beacons as that lead. Later events find the lead again by its (verified) email.
 */
export function newEmailLeadId(): string {
  return `em-${hex(crypto.getRandomValues(new Uint8Array(16)).buffer)}`;
}

/** The lead identified with an email, or a new random id for a lead it starts (email in lowercase). */
export async function leadIdForEmail(db: Database, siteId: string, email: string): Promise<string> {
  return (await visitorIdByEmail(db, siteId, email)) ?? newEmailLeadId();
}

/** An event's properties as stored when the token-authenticated API sent it: its identify is verified. */
export function serverProps(type: string, props: Record<string, unknown> | null): Record<string, unknown> | null {
  return type === IDENTIFY ? { ...props, [VERIFIED_PROP]: true } : props;
}
