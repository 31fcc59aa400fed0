// What the API answers, as zod schemas for the OpenAPI document. The routes build these answers by hand;
// test/integration/openapi.test.ts checks real answers against these schemas, so neither can drift.
import { z } from "zod";
import { JOB_KINDS, JOB_STATUSES, TOKEN_SCOPES } from "../../schema";
import { errorCodes } from "../lib/errors";
import { OUTCOMES, STAGES } from "../scoring/outcomes";
import { ruleSetSchema } from "../scoring/rules";

const iso = z.iso.datetime({ offset: true });
const nullableIso = iso.nullable();
const numbers = z.record(z.string(), z.number());
const props = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).nullable();

export const errorAnswer = z.strictObject({
  error: z.strictObject({ code: z.enum(Object.keys(errorCodes) as [keyof typeof errorCodes]), message: z.string() }),
});

export const siteJson = z.strictObject({
  id: z.string(),
  name: z.string(),
  origins: z.array(z.string()),
  visitTimeoutMin: z.number().int(),
  timezone: z.string(),
  listHour: z.number().int(),
  retentionDays: z.number().int(),
  webhookUrl: z.string().nullable(),
  rulesVersion: z.number().int(),
  /** Whether the site has an identity secret, so signed identifies can be verified. */
  identityVerification: z.boolean(),
  createdAt: iso,
});
/** A site, with the webhook's signing key only in the answer that made it, and the identity secret only in the one that created it. */
export const siteAnswer = z.strictObject({ site: siteJson, webhookSecret: z.string().optional(), identitySecret: z.string().optional() });
export const identitySecretAnswer = z.strictObject({ site: z.string(), identitySecret: z.string() });
export const sitesAnswer = z.strictObject({ sites: z.array(siteJson) });

export const tokenJson = z.strictObject({
  id: z.string(),
  name: z.string(),
  scope: z.enum(TOKEN_SCOPES),
  sites: z.array(z.string()).nullable(),
  createdAt: iso,
  revokedAt: nullableIso,
});
export const tokenCreated = z.strictObject({ token: tokenJson, secret: z.string() });
export const tokenAnswer = z.strictObject({ token: tokenJson });
export const tokensAnswer = z.strictObject({ tokens: z.array(tokenJson) });

export const rulesAnswer = z.strictObject({ version: z.number().int(), createdAt: iso, rules: ruleSetSchema });
const previewLead = z.strictObject({ visitorId: z.string(), email: z.string().nullable() });
export const previewAnswer = z.strictObject({
  visitors: z.number().int(),
  becomeProspects: z.array(previewLead),
  stopBeingProspects: z.array(previewLead),
  changedScores: z.array(previewLead.extend({ before: z.number(), after: z.number() })),
  page: z.strictObject({
    from: z.string().nullable(),
    to: z.string().nullable(),
    eventsReplayed: z.number().int(),
    nextCursor: z.string().nullable(),
    note: z.string(),
  }),
});

/** A background job and its progress (see README, Background jobs). */
export const jobAnswer = z.strictObject({
  id: z.string(),
  kind: z.enum(JOB_KINDS),
  status: z.enum(JOB_STATUSES),
  rulesVersion: z.number().int().nullable(),
  processed: z.number().int(),
  total: z.number().int().nullable(),
  progress: z.unknown().describe("where the job got to: a rescore's last lead id; a daily run's phase and counts"),
  createdAt: iso,
  updatedAt: iso,
  finishedAt: nullableIso,
  error: z.string().nullable(),
});
export const jobsAnswer = z.strictObject({ site: z.string(), jobs: z.array(jobAnswer) });
/** PUT rules: the stored version, and the rescore job that brings the stored leads over. */
export const rulesPutAnswer = rulesAnswer.extend({ job: jobAnswer });
export const webhookFailuresAnswer = z.strictObject({
  site: z.string(),
  failures: z.array(
    z.strictObject({
      delivery: z.string(),
      visitorId: z.string(),
      attempts: z.number().int(),
      lastError: z.string(),
      failedAt: iso,
      notice: z.record(z.string(), z.unknown()),
    }),
  ),
});

const visitorSummary = z.strictObject({
  id: z.string(),
  email: z.string().nullable(),
  /** False while the email is only a browser's unsigned claim. */
  emailVerified: z.boolean(),
  score: z.number(),
  class: z.string().nullable(),
  grade: z.string().nullable(),
  prospect: z.boolean(),
  prospectSince: nullableIso,
  visits: z.number().int(),
  firstSeen: nullableIso,
  lastSeen: nullableIso,
  stage: z.enum(STAGES),
  /** P(won) under the site's predictive model; null before it has one or after its rules changed. */
  probability: z.number().nullable(),
});
export const visitorsAnswer = z.strictObject({ visitors: z.array(visitorSummary), nextCursor: z.string().nullable() });

const eventJson = z.strictObject({ id: z.string(), type: z.string(), via: z.enum(["web", "api"]), path: z.string().nullable(), at: iso, props });
export const visitorAnswer = visitorSummary.extend({
  visitorIds: z.array(z.string()),
  dimensions: numbers,
  prospectAt: z.number().nullable(),
  rulesVersion: z.number().int(),
  breakdown: z.array(
    z.strictObject({ rule: z.string(), label: z.string(), dimension: z.string(), points: z.number(), earned: z.number(), fired: z.number().int() }),
  ),
  source: z.record(z.string(), z.string()).nullable(),
  identity: z.strictObject({ email: z.string().nullable(), emailVerified: z.boolean(), traits: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])) }),
  outcome: z.strictObject({ outcome: z.enum(OUTCOMES), at: iso, reason: z.string().nullable(), value: z.number().nullable() }).nullable(),
  recentEvents: z.array(eventJson),
});

const stepPoints = z.strictObject({ rule: z.string(), label: z.string(), dimension: z.string(), points: z.number() });
export const historyAnswer = z.strictObject({
  visitorId: z.string(),
  rulesVersion: z.number().int(),
  events: z.number().int(),
  history: z.array(
    z.strictObject({
      event: eventJson.extend({ visitorId: z.string() }),
      at: iso,
      score: z.number(),
      dimensions: numbers,
      class: z.string().nullable(),
      grade: z.string().nullable(),
      prospect: z.boolean(),
      delta: z.number(),
      points: z.array(stepPoints),
    }),
  ),
  nextCursor: z.string().nullable(),
});

export const timelineAnswer = z.strictObject({
  visitorId: z.string(),
  events: z.array(eventJson.extend({ visitorId: z.string(), receivedAt: iso })),
  nextCursor: z.string().nullable(),
});

export const erasureAnswer = z.strictObject({
  site: z.string(),
  visitor: z.string(),
  visitorIds: z.array(z.string()),
  erased: z.strictObject({ events: z.number().int(), visitor: z.boolean(), prospectLists: z.number().int() }),
});

export const prospectsAnswer = z.strictObject({
  site: z.string(),
  date: z.iso.date(),
  /** False for a rule set without prospectAt: no list is kept, and it answers empty. */
  hasThreshold: z.boolean(),
  stored: z.boolean(),
  prospects: z.array(
    z.strictObject({
      visitorId: z.string(),
      email: z.string().nullable(),
      emailVerified: z.boolean(),
      score: z.number(),
      class: z.string().nullable(),
      grade: z.string().nullable(),
      since: iso,
      isNew: z.boolean(),
      // Lists stored before stages and probabilities existed lack them.
      stage: z.enum(STAGES).optional(),
      probability: z.number().nullable().optional(),
      reasons: z.array(z.strictObject({ rule: z.string(), label: z.string(), points: z.number() })),
    }),
  ),
  nextCursor: z.string().nullable(),
});

export const accountsAnswer = z.strictObject({
  site: z.string(),
  /** False before the site's first daily run has stored a roll-up (then the rest is empty and null). */
  stored: z.boolean(),
  /** The local date of the roll-up read, and the time it is as of. */
  date: z.string().nullable(),
  asOf: z.string().nullable(),
  total: z.number().int(),
  accounts: z.array(
    z.strictObject({
      account: z.string(),
      score: z.number(),
      dimensions: numbers,
      leads: z.number().int(),
      prospects: z.number().int(),
      topLeads: z.array(z.strictObject({ visitorId: z.string(), email: z.string().nullable(), score: z.number() })),
    }),
  ),
  nextCursor: z.string().nullable(),
});

export const serverEventsAnswer = z.strictObject({
  visitorId: z.string(),
  accepted: z.number().int(),
  duplicates: z.number().int(),
  /** Set when the visitor id was erased: nothing was stored. */
  ignored: z.literal("erased").optional(),
});
export const beaconAnswer = z.strictObject({
  accepted: z.number().int(),
  duplicates: z.number().int(),
  ignored: z.enum(["bot", "erased"]).optional(),
});
export const healthAnswer = z.strictObject({ ok: z.literal(true) });

export const outcomesCsvAnswer = z.strictObject({
  outcomes: z.number().int(),
  recorded: z.number().int(),
  unchanged: z.number().int(),
  duplicates: z.number().int(),
});

const rate = { leads: z.number().int(), won: z.number().int(), rate: z.number().nullable() };
const modelJson = z.strictObject({
  trainedAt: iso,
  rulesVersion: z.number().int(),
  current: z.boolean(),
  won: z.number().int(),
  notWon: z.number().int(),
  trainingAuc: z.number().nullable(),
  converged: z.boolean(),
  intercept: z.number(),
  weights: z.array(z.strictObject({ feature: z.string(), kind: z.enum(["fired", "holds", "trait"]), weight: z.number() })),
});
export const trainAnswer = z.strictObject({ model: modelJson, proposedRules: ruleSetSchema.nullable() });
export const insightsAnswer = z.strictObject({
  since: iso,
  truncated: z.boolean(),
  leads: z.number().int(),
  won: z.number().int(),
  notWon: z.number().int(),
  auc: z.number().nullable(),
  deciles: z.array(z.strictObject({ from: z.number(), to: z.number(), ...rate })),
  classes: z.array(z.strictObject({ class: z.string().nullable(), ...rate })),
  rules: z.array(
    z.strictObject({
      rule: z.string(),
      fired: z.strictObject(rate),
      notFired: z.strictObject(rate),
      lift: z.number().nullable(),
      pValue: z.number().nullable(),
      significant: z.boolean(),
    }),
  ),
  minGroup: z.number().int(),
  modelNeeds: z.strictObject({ won: z.number().int(), notWon: z.number().int() }),
  model: modelJson.nullable(),
  proposedRules: ruleSetSchema.nullable(),
});
