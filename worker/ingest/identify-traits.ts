/**
 * An identify as the tracker sends it, `d: {email, sig, traits: {...}}` (what the page passed to
 * leadscore('identify', ...)), made flat: the traits beside email and sig, as the collector keeps them. An
 * identify sent flat already (older trackers) is left as it is; anything else is for validation to judge.
 */
export function flatIdentify(event: unknown): unknown {
  if (typeof event !== "object" || event === null) return event;
  const { n, d } = event as { n?: unknown; d?: unknown };
  if (n !== "identify" || typeof d !== "object" || d === null || Array.isArray(d)) return event;
  const { traits, ...rest } = d as Record<string, unknown>;
  if (typeof traits !== "object" || traits === null || Array.isArray(traits)) return event;
  // The identify's own keys (email, sig) win over traits of the same name.
  return { ...event, d: { ...traits, ...rest } };
}
