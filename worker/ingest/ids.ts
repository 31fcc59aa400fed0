import { z } from "zod";

/** Visitor and event ids made by clients: random, URL-safe, 8-64 characters. */
export const clientId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "use 8-64 of A-Z, a-z, 0-9, _ and -");

/** Site ids: lowercase slugs. */
export const siteId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "use 1-63 of a-z, 0-9 and -, starting with a letter or digit");

/** Names the collector gives its own events; custom events may not take them. */
export const RESERVED_EVENT_TYPES = ["pageview", "video_play", "download", "pricing_view", "track", "identify"] as const;

/** A custom event's name, as used in rules. */
export const customEventName = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,63}$/, "use 1-64 of a-z, 0-9 and _, starting with a letter")
  .refine((n) => !(RESERVED_EVENT_TYPES as readonly string[]).includes(n), "that name is reserved for automatic events");

/**
 * Event types the token-authenticated API owns: email, call, form and webinar engagement, and identify.
 * A page could otherwise fire the rules that score them, so the beacon refuses them as custom names.
 */
export const API_OWNED_EVENT_TYPES = { prefixes: ["email_", "call_"], names: ["form_submit", "webinar_attended", "identify"] } as const;

/** Is this event type one only the API may send? */
export function apiOwnedEventType(name: string): boolean {
  return API_OWNED_EVENT_TYPES.prefixes.some((p) => name.startsWith(p)) || (API_OWNED_EVENT_TYPES.names as readonly string[]).includes(name);
}

/** A custom event name a page may send: a custom name that no automatic event and no API-owned type has. */
export const beaconEventName = customEventName.refine((n) => !apiOwnedEventType(n), "that event type is sent through the API only (POST /api/sites/:site/events)");
