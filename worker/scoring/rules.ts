import { z } from "zod";
import { UNSUPPORTED_PATH_SYNTAX } from "./glob";

/** Rule ids appear in URLs, CSV and breakdowns: keep them short and plain. */
const ruleId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "use 1-64 of a-z, 0-9, _ and -, starting with a letter or digit");

/** Dimension names: engagement and fit are built in; a rule set may declare more. */
const dimensionName = z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, "use 1-32 of a-z, 0-9 and _, starting with a letter");

/**
 * A URL path pattern in the part of URLPattern syntax that matches in linear time: literal text, `*` and
 * `:name`, e.g. "/pricing", "/blog/*", "/docs/:page" (see glob.ts).
 */
export const pathPattern = z
  .string()
  .min(1)
  .max(500)
  .startsWith("/", "a path pattern starts with /")
  .refine((p) => !UNSUPPORTED_PATH_SYNTAX.test(p), "a path pattern is literal text, * and :name (no groups, ?, + or \\)")
  .refine((p) => {
    try {
      new URLPattern({ pathname: p });
      return true;
    } catch {
      return false;
    }
  }, "not a valid URL path pattern");

const eventType = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, "use 1-64 of a-z, 0-9 and _, starting with a letter");
const scalar = z.union([z.string().max(500), z.number().finite(), z.boolean()]);
const count = z.number().int().min(1).max(100_000);
const days = z.number().int().min(1).max(3650);

/**
 * A test on one value (a trait or an event property). Strings compare without regard to case.
 * Give one of equals, oneOf or contains, or a numeric range with min and/or max.
 */
export const conditionShape = {
  equals: scalar.optional(),
  oneOf: z.array(scalar).min(1).max(100).optional(),
  contains: z.string().min(1).max(200).optional(),
  min: z.number().finite().optional(),
  max: z.number().finite().optional(),
};

/** A test on one value, as validated. */
export interface Condition {
  equals?: string | number | boolean | undefined;
  oneOf?: (string | number | boolean)[] | undefined;
  contains?: string | undefined;
  min?: number | undefined;
  max?: number | undefined;
}

const condition = z
  .strictObject(conditionShape)
  .refine((c) => conditionKinds(c) === 1, "give one of equals, oneOf, contains, or min/max");

/** How many kinds of test a condition names (it must name exactly one). */
function conditionKinds(c: Condition): number {
  return [c.equals !== undefined, c.oneOf !== undefined, c.contains !== undefined, c.min !== undefined || c.max !== undefined].filter(Boolean).length;
}

/** The keys that decide what kind of rule a `when` is; exactly one must be present. */
export const WHEN_KINDS = ["event", "visit", "visitsMoreThan", "returnWithinDays", "distinctDays", "trait", "absent"] as const;
export type WhenKind = (typeof WHEN_KINDS)[number];

/** Extra keys each kind accepts besides its own. */
const KIND_EXTRAS: Record<WhenKind, readonly string[]> = {
  event: ["path", "props", "fileExt", "fileName"],
  visit: [],
  visitsMoreThan: [],
  returnWithinDays: [],
  distinctDays: [],
  trait: ["equals", "oneOf", "contains", "min", "max"],
  absent: ["days"],
};

const when = z
  .strictObject({
    /** Event rules: the event type (pageview, video_play, download, pricing_view, identify, email_open, ... or a custom name). */
    event: eventType.optional(),
    /** ...only on paths matching this pattern. */
    path: pathPattern.optional(),
    /** ...only when the event's properties pass these tests. */
    props: z.record(z.string().regex(/^[A-Za-z0-9_]{1,40}$/), condition).optional(),
    /** ...only for downloads of files with one of these extensions. */
    fileExt: z.array(z.string().regex(/^[a-z0-9]{1,10}$/, "an extension in lowercase, without the dot")).min(1).max(50).optional(),
    /** ...only for downloads whose file name matches this pattern (* matches anything; case does not matter). */
    fileName: z.string().min(1).max(200).optional(),
    /** Fires once, on the event that starts the visitor's Nth visit. */
    visit: count.optional(),
    /** Fires once, when the visitor has made more than N visits. */
    visitsMoreThan: z.number().int().min(0).max(100_000).optional(),
    /** Fires on the start of a visit that comes within N days of the end of the previous one. */
    returnWithinDays: days.optional(),
    /** Fires once, when the visitor has been active on N distinct days (the site's timezone). */
    distinctDays: count.optional(),
    /** Fit rules: the trait to test (set by identify or server-side events); points count while the test passes. */
    // Names starting with __ are the collector's own properties, never traits.
    trait: z.string().regex(/^(?!__)[A-Za-z0-9_]{1,40}$/, "trait names use 1-40 of A-Z, a-z, 0-9 and _, not starting with __").optional(),
    ...conditionShape,
    /** Absence rules: points count while no event of this type has happened for `days` days. */
    absent: eventType.optional(),
    days: days.optional(),
  })
  .superRefine((w, ctx) => {
    const kinds = WHEN_KINDS.filter((k) => w[k] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({ code: "custom", message: `give exactly one of ${WHEN_KINDS.join(", ")}` });
      return;
    }
    const kind = kinds[0] as WhenKind;
    for (const key of Object.keys(w)) {
      if (key !== kind && w[key as keyof typeof w] !== undefined && !KIND_EXTRAS[kind].includes(key)) {
        ctx.addIssue({ code: "custom", path: [key], message: `${key} does not go with ${kind}` });
      }
    }
    if (kind === "trait" && conditionKinds(w) !== 1) ctx.addIssue({ code: "custom", path: ["trait"], message: "a trait rule gives one of equals, oneOf, contains, or min/max" });
    if (kind === "absent" && w.days === undefined) ctx.addIssue({ code: "custom", path: ["days"], message: "an absence rule says after how many days" });
    if ((w.fileExt || w.fileName) && w.event !== "download") ctx.addIssue({ code: "custom", path: [w.fileExt ? "fileExt" : "fileName"], message: "file tests go with event: download" });
  });

export type When = z.output<typeof when>;

/** The kind of a validated `when`. */
export function kindOf(w: When): WhenKind {
  return WHEN_KINDS.find((k) => w[k] !== undefined) as WhenKind;
}

export const ruleSchema = z
  .strictObject({
    id: ruleId,
    label: z.string().min(1).max(200).optional(),
    /** Points per firing; negative points take away. */
    points: z.number().finite().min(-10_000).max(10_000),
    /** The dimension the points add to: fit for trait rules, engagement otherwise, unless named. */
    dimension: dimensionName.optional(),
    when,
    /** every: each matching event; once: the first only. Visit milestones fire once by nature. */
    frequency: z.enum(["every", "once"]).default("every"),
    /** At most this many firings per local day (the site's timezone). */
    maxPerDay: count.optional(),
    /** At most this many points per local day; the firing that reaches it gives the remainder. */
    maxPointsPerDay: z.number().positive().max(1_000_000).optional(),
    /** At most this many points in all (in absolute value, for negative rules). */
    cap: z.number().positive().max(1_000_000).optional(),
  })
  .superRefine((r, ctx) => {
    const kind = kindOf(r.when);
    if ((kind === "trait" || kind === "absent") && (r.frequency !== "every" || r.maxPerDay || r.maxPointsPerDay || r.cap)) {
      ctx.addIssue({ code: "custom", path: ["frequency"], message: `a ${kind} rule holds or not at any moment; frequency and limits do not apply` });
    }
  });

/** Decay of a dimension's event points: a half-life, or an expiry window. */
const decay = z.union([z.strictObject({ halfLifeDays: z.number().positive().max(3650) }), z.strictObject({ expireDays: days })]);

const dimensionSettings = z.strictObject({
  decay: decay.optional(),
  /** The dimension's score never goes below this. */
  floor: z.number().finite().optional(),
});

const threshold = z.number().finite().min(-1_000_000).max(1_000_000);

export const ruleSetSchema = z
  .strictObject({
    /** A visitor whose score reaches this is a prospect. */
    prospectAt: threshold,
    /** Named classes by score, e.g. cold 0, warm 20, hot 35: a visitor is in the highest one reached. */
    classes: z.array(z.strictObject({ name: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/), min: threshold })).max(20).default([]),
    /** A grade matrix like A1..D4: a letter from the fit score and a number from the engagement score. */
    grades: z
      .strictObject({
        fit: z.array(z.strictObject({ grade: z.string().regex(/^[A-Z]$/), min: threshold })).min(1).max(10),
        engagement: z.array(z.strictObject({ grade: z.string().regex(/^[1-9]$/), min: threshold })).min(1).max(9),
      })
      .optional(),
    /** Decay and floors per dimension (engagement and fit exist without being declared). */
    dimensions: z.record(dimensionName, dimensionSettings).default({}),
    /** Page views whose path matches one of these also count as a pricing_view event. */
    pricingPaths: z.array(pathPattern).max(50).default([]),
    rules: z.array(ruleSchema).max(200),
  })
  .superRefine((set, ctx) => {
    const seen = new Set<string>();
    set.rules.forEach((rule, i) => {
      if (seen.has(rule.id)) ctx.addIssue({ code: "custom", path: ["rules", i, "id"], message: `duplicate rule id "${rule.id}"` });
      seen.add(rule.id);
      const dim = rule.dimension;
      if (dim && dim !== "engagement" && dim !== "fit" && !Object.hasOwn(set.dimensions, dim)) {
        ctx.addIssue({ code: "custom", path: ["rules", i, "dimension"], message: `dimension "${dim}" is not declared in dimensions` });
      }
    });
    const names = new Set<string>();
    set.classes.forEach((c, i) => {
      if (names.has(c.name)) ctx.addIssue({ code: "custom", path: ["classes", i, "name"], message: `duplicate class "${c.name}"` });
      names.add(c.name);
    });
  });

export type Rule = z.output<typeof ruleSchema>;
export type RuleSet = z.output<typeof ruleSetSchema>;
export type RuleSetInput = z.input<typeof ruleSetSchema>;

/** The dimension a rule adds to. */
export function dimensionOf(rule: Rule): string {
  return rule.dimension ?? (rule.when.trait !== undefined ? "fit" : "engagement");
}

/** Per-site settings the engine needs besides the rules. */
export interface ScoringSettings {
  visitTimeoutMs: number;
  timezone: string;
}
