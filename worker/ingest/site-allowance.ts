// The per-site beacon limit, bought in tickets: one call to the rate-limit binding pays for
// BEACONS_PER_TICKET beacons of a site in this isolate, so a busy site costs the binding (and each beacon a
// round trip) one call in twenty, not one per beacon. The binding's limit is therefore set in tickets
// (wrangler.toml: 100 per 10 s, for 2,000 beacons).
//
// - Bound: an isolate lets a beacon through only from a ticket the binding counted, and a ticket covers at
//   most BEACONS_PER_TICKET beacons, so beacons stay within BEACONS_PER_TICKET times the calls the binding
//   allowed, whichever isolates a flood reaches. An isolate holds one ticket per site, and may spend what
//   is left of it in a later window than the one that counted it: within a window, at most
//   BEACONS_PER_TICKET - 1 beacons per isolate beyond the limit.
// - Cost to quiet isolates: a ticket lapses with its leftover beacons after TICKET_TTL_MS. An isolate that
//   takes fewer than BEACONS_PER_TICKET of a site's beacons in that time still spends a whole ticket, so
//   the limit can bite below 2,000 beacons per 10 s only when over 600 isolates in one location (100
//   tickets per 10 s, six 10 s windows per TICKET_TTL_MS) each take some of the site's beacons in a minute.

/** Beacons one call to the site's rate-limit binding pays for, in one isolate. */
export const BEACONS_PER_TICKET = 20;
/** How long a ticket's beacons may be spent. */
export const TICKET_TTL_MS = 60_000;
/** How long a refused purchase refuses the site's beacons in this isolate before asking the binding again. */
export const REFUSAL_TTL_MS = 1_000;
// Sites whose tickets an isolate holds at once; the oldest purchase is dropped first (dropping costs one call).
const MAX_SITES = 10_000;

interface Tickets {
  /** Beacons left to spend. */
  left: number;
  until: number;
  refused: boolean;
}

// Tickets are held per binding: they were bought from it (a test that hands the worker its own binding
// starts with none).
const heldBy = new WeakMap<RateLimit, Map<string, Tickets>>();

/**
 * Spends one beacon of the site's allowance at `now`: from a ticket this isolate holds, or by buying one
 * from `binding`. Answers false when the binding refuses (the site is over its limit).
 */
export async function spendSiteBeacon(binding: RateLimit, siteId: string, now: number): Promise<boolean> {
  let held = heldBy.get(binding);
  if (!held) heldBy.set(binding, (held = new Map()));
  const tickets = held.get(siteId);
  if (tickets && tickets.until > now) {
    if (tickets.refused) return false;
    if (tickets.left > 0) {
      tickets.left -= 1;
      return true;
    }
  }
  // Beacons that find no ticket at once each buy one: a purchase is not shared between requests (workerd
  // lets no request wait on another's I/O), which costs calls, never beacons over the limit.
  const { success } = await binding.limit({ key: siteId });
  held.delete(siteId);
  if (held.size >= MAX_SITES) held.delete(held.keys().next().value as string);
  held.set(siteId, success ? { left: BEACONS_PER_TICKET - 1, until: now + TICKET_TTL_MS, refused: false } : { left: 0, until: now + REFUSAL_TTL_MS, refused: true });
  return success;
}
