import { z } from "zod";

/** Rule ids appear in URLs, CSV and breakdowns: keep them short and plain. */
const ruleId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "use 1-64 of a-z, 0-9, _ and -, starting with a letter or digit");

/** A URL path pattern in URLPattern syntax, e.g. "/pricing", "/blog/*", "/docs/:page". */
export const pathPattern = z
  .string()
  .min(1)
  .max(500)
  .startsWith("/", "a path pattern starts with /")
  .refine((p) => {
    try {
      new URLPattern({ pathname: p });
      return true;
    } catch {
      return false;
    }
  }, "not a valid URL path pattern");

const eventType = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, "use 1-64 of a-z, 0-9 and _, starting with a letter");

const when = z
  .strictObject({
    /** Event type: pageview, video_play, download, pricing_view or a custom name. */
    event: eventType.optional(),
    /** Only events whose path matches this pattern. */
    path: pathPattern.optional(),
    /** Fires once, on the event that starts the visitor's Nth visit. */
    visit: z.number().int().min(1).max(10_000).optional(),
  })
  .refine((w) => (w.event === undefined) !== (w.visit === undefined), "give exactly one of event or visit")
  .refine((w) => w.path === undefined || w.event !== undefined, "path goes with event");

export const ruleSchema = z.strictObject({
  id: ruleId,
  label: z.string().min(1).max(200).optional(),
  points: z.number().finite().min(-10_000).max(10_000),
  when,
  /** every: each matching event; once: the first matching event only. */
  frequency: z.enum(["every", "once"]).default("every"),
  /** At most this many awards per local day (the site's timezone). */
  maxPerDay: z.number().int().min(1).max(10_000).optional(),
});

export const ruleSetSchema = z
  .strictObject({
    /** A visitor whose score reaches this is a prospect. */
    prospectAt: z.number().finite().min(-1_000_000).max(1_000_000),
    /** Page views whose path matches one of these also count as a pricing_view event. */
    pricingPaths: z.array(pathPattern).max(50).default([]),
    rules: z.array(ruleSchema).max(200),
  })
  .superRefine((set, ctx) => {
    const seen = new Set<string>();
    set.rules.forEach((rule, i) => {
      if (seen.has(rule.id)) ctx.addIssue({ code: "custom", path: ["rules", i, "id"], message: `duplicate rule id "${rule.id}"` });
      seen.add(rule.id);
    });
  });

export type Rule = z.output<typeof ruleSchema>;
export type RuleSet = z.output<typeof ruleSetSchema>;
export type RuleSetInput = z.input<typeof ruleSetSchema>;

/** Per-site settings the engine needs besides the rules. */
export interface ScoringSettings {
  visitTimeoutMs: number;
  timezone: string;
}
