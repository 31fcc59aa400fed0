// Every endpoint of the collector, described for the OpenAPI document with the zod schemas its route
// validates with (imported from the route files) and the schemas of its answers. test/integration/
// openapi.test.ts fails when a route Hono registers is missing here.
import { z } from "zod";
import type { TokenScope } from "../../schema";
import { clientId, siteId } from "../ingest/ids";
import { emailAddress } from "../ingest/props";
import { accountsQuery } from "../routes/accounts";
import { beacon } from "../routes/collect";
import { serverEventsBody } from "../routes/events";
import { insightsQuery } from "../routes/insights";
import { prospectsQuery } from "../routes/prospects";
import { jobsQuery } from "../routes/jobs";
import { previewQuery, ruleSetEnvelope } from "../routes/rules";
import { webhookFailuresQuery } from "../routes/webhook-failures";
import { newSite, siteChanges } from "../routes/sites";
import { newToken, tokenId } from "../routes/tokens";
import { eventsQuery } from "../routes/visitor-events";
import { historyQuery } from "../routes/visitor-history";
import { listQuery } from "../routes/visitors";
import { ruleSetSchema } from "../scoring/rules";
import * as answer from "./responses";
import { MAX_LEAD_EVENTS } from "../ingest/lead-history";

/** One answer of an operation. */
export interface Response {
  description: string;
  schema?: z.ZodType;
  /** Other than application/json. */
  contentType?: string;
  example?: unknown;
}

/** One endpoint. `path` is Hono's pattern (`/api/sites/:site`). */
export interface Operation {
  method: "get" | "post" | "put" | "patch" | "delete";
  path: string;
  tag: string;
  summary: string;
  description?: string;
  /** The token scope it takes, or null for a public endpoint. */
  scope: TokenScope | null;
  params?: Record<string, z.ZodType>;
  query?: z.ZodType;
  /** Values as the parameter's schema types them (a URL carries them as text). */
  queryExample?: Record<string, string | number>;
  body?: { schema: z.ZodType; example: unknown; contentType?: string };
  responses: Record<number, Response>;
}

/** The :id of a visitor route: a visitor id, or the email of a lead. */
const visitorRef = z.union([clientId, emailAddress]).describe("a visitor id, or the email a lead was identified with");
const siteParams = { site: siteId };
const visitorParams = { site: siteId, id: visitorRef };

const exampleRules = {
  prospectAt: 50,
  classes: [{ name: "warm", min: 20 }, { name: "hot", min: 35 }],
  pricingPaths: ["/pricing"],
  rules: [
    { id: "contact-page", label: "Contact page view", points: 5, when: { event: "pageview", path: "/contact" }, maxPerDay: 2 },
    { id: "director", points: 10, when: { trait: "title", contains: "director" } },
  ],
};

const error = (description: string): Response => ({ description, schema: answer.errorAnswer });
const json = (description: string, schema: z.ZodType, example?: unknown): Response => ({ description, schema, ...(example === undefined ? {} : { example }) });

export const operations: Operation[] = [
  {
    method: "post",
    path: "/e",
    tag: "Collect",
    summary: "Beacon: events from the tracker",
    description: "Sent by the tracker as text/plain JSON (no CORS preflight). The request's Origin must be one of the site's origins.",
    scope: null,
    body: {
      contentType: "text/plain",
      schema: beacon,
      example: { s: "demo", v: "k3j5h2g7f8d9s0a1", t: 1795420800000, e: [{ i: "e1a2b3c4d5e6f7g8", n: "pageview", t: 1795420799000, u: "https://www.example.com/pricing" }] },
    },
    responses: {
      202: json("stored and scored, or ignored (a bot or an erased visitor; see X-Leadscore-Ignored)", answer.beaconAnswer, { accepted: 1, duplicates: 0 }),
      400: error("not JSON, a field of the wrong type or size"),
      403: error("an Origin that is not one of the site's"),
      404: error("an unknown site"),
      413: error("over 16 KB or 20 events"),
      429: error(`too many events for the visitor or beacons for the site, or a lead that keeps its most events (${MAX_LEAD_EVENTS.toLocaleString("en")}) already`),
      503: error("storage failed; retry"),
    },
  },
  { method: "get", path: "/healthz", tag: "Collect", summary: "Liveness", scope: null, responses: { 200: json("alive", answer.healthAnswer, { ok: true }) } },
  {
    method: "post",
    path: "/api/tokens",
    tag: "Tokens",
    summary: "Create a token",
    description: "The secret is in this answer only. `sites` limits the token to some sites; such a token cannot manage tokens or create sites.",
    scope: "admin",
    body: { schema: newToken, example: { name: "Sales team", scope: "read", sites: ["demo"] } },
    responses: { 201: json("created", answer.tokenCreated), 400: error("invalid body") },
  },
  { method: "get", path: "/api/tokens", tag: "Tokens", summary: "List tokens", scope: "admin", responses: { 200: json("every token, revoked ones included", answer.tokensAnswer) } },
  {
    method: "delete",
    path: "/api/tokens/:id",
    tag: "Tokens",
    summary: "Revoke a token",
    scope: "admin",
    params: { id: tokenId },
    responses: { 200: json("revoked", answer.tokenAnswer), 404: error("no such token") },
  },
  {
    method: "post",
    path: "/api/sites",
    tag: "Sites",
    summary: "Create a site",
    scope: "admin",
    body: { schema: newSite, example: { id: "demo", name: "Demo shop", origins: ["https://www.example.com"], timezone: "Europe/Madrid", webhookUrl: "https://crm.example.com/hooks/leadscore" } },
    responses: { 201: json("created, with its identitySecret (shown this once), and webhookSecret when a webhook was given", answer.siteAnswer), 400: error("invalid body"), 409: error("the id is taken") },
  },
  {
    method: "post",
    path: "/api/sites/:site/identity-secret",
    tag: "Sites",
    summary: "Make a new identity secret",
    description:
      "The key the site's backend signs identified emails with (`sig` = hex HMAC-SHA256 of the email). Shown in this answer only; the previous one stops verifying at once.",
    scope: "admin",
    params: siteParams,
    responses: { 200: json("the new secret", answer.identitySecretAnswer), 404: error("unknown site") },
  },
  { method: "get", path: "/api/sites", tag: "Sites", summary: "List sites", description: "A token limited to some sites sees only those.", scope: "read", responses: { 200: json("sites", answer.sitesAnswer) } },
  {
    method: "get",
    path: "/api/sites/:site",
    tag: "Sites",
    summary: "One site",
    scope: "read",
    params: siteParams,
    responses: { 200: json("the site", answer.siteAnswer), 403: error("a token limited to other sites"), 404: error("unknown site") },
  },
  {
    method: "patch",
    path: "/api/sites/:site",
    tag: "Sites",
    summary: "Change a site",
    scope: "admin",
    params: siteParams,
    body: { schema: siteChanges, example: { origins: ["https://www.example.com", "https://shop.example.com"], webhookUrl: null } },
    responses: { 200: json("the site as it now is", answer.siteAnswer), 400: error("invalid body"), 404: error("unknown site") },
  },
  {
    method: "get",
    path: "/api/sites/:site/rules",
    tag: "Rules",
    summary: "The rule set in force",
    description: "The answer can be sent back to PUT as it is.",
    scope: "read",
    params: siteParams,
    // The stored form: defaults filled in, as the rule set was parsed when it was stored.
    responses: { 200: json("the rule set and its version", answer.rulesAnswer, { version: 3, createdAt: "2026-11-23T09:00:00.000Z", rules: ruleSetSchema.parse(exampleRules) }) },
  },
  {
    method: "put",
    path: "/api/sites/:site/rules",
    tag: "Rules",
    summary: "Store a new rule set version",
    description:
      "Takes a rule set, or GET's answer as it is; with a `version`, refuses (409) when another version was stored since. The version is in force at once; a background job rescores the stored leads (its progress at `Location`).",
    scope: "admin",
    params: siteParams,
    body: { schema: z.union([ruleSetSchema, ruleSetEnvelope]), example: exampleRules },
    responses: { 202: json("stored; the rescore job is queued", answer.rulesPutAnswer), 400: error("an invalid rule set, naming the rule and field"), 409: error("the rules changed since they were read") },
  },
  {
    method: "get",
    path: "/api/sites/:site/rules/jobs",
    tag: "Jobs",
    summary: "The site's rescore jobs",
    scope: "read",
    params: siteParams,
    responses: { 200: json("rescore jobs, newest first", answer.jobsAnswer) },
  },
  {
    method: "get",
    path: "/api/sites/:site/rules/jobs/:id",
    tag: "Jobs",
    summary: "One rescore job's progress",
    scope: "read",
    params: { site: siteId, id: z.string() },
    responses: { 200: json("the job", answer.jobAnswer), 404: error("no such job") },
  },
  {
    method: "get",
    path: "/api/sites/:site/jobs",
    tag: "Jobs",
    summary: "The site's background jobs",
    description: "Rescores, daily runs (`daily-YYYY-MM-DD`: sweep, stored list, figures, account roll-up, model fit, retention purge) and the hourly sweep (`sweep`, one row per site, started again each hour it has leads due), newest first.",
    scope: "read",
    params: siteParams,
    query: jobsQuery,
    queryExample: { kind: "daily", limit: 10 },
    responses: { 200: json("jobs, newest first", answer.jobsAnswer), 400: error("an invalid query") },
  },
  {
    method: "get",
    path: "/api/sites/:site/jobs/:id",
    tag: "Jobs",
    summary: "One background job's progress",
    scope: "read",
    params: { site: siteId, id: z.string() },
    responses: { 200: json("the job", answer.jobAnswer), 404: error("no such job") },
  },
  {
    method: "get",
    path: "/api/sites/:site/webhook-failures",
    tag: "Prospects",
    summary: "Prospect notices the webhook never took",
    description: "The dead-letter record: notices that got no 2xx after every attempt, newest first.",
    scope: "read",
    params: siteParams,
    query: webhookFailuresQuery,
    queryExample: { limit: 20 },
    responses: { 200: json("failed notices", answer.webhookFailuresAnswer) },
  },
  {
    method: "post",
    path: "/api/sites/:site/rules/preview",
    tag: "Rules",
    summary: "What a rule set would change",
    description:
      "Who would become or stop being a prospect, and the biggest score changes, naming leads by email, for a page of at most 200 leads (and 20,000 events) in id order; `page.nextCursor` as `cursor` goes on. Changes nothing.",
    scope: "admin",
    params: siteParams,
    query: previewQuery,
    body: { schema: z.union([ruleSetSchema, ruleSetEnvelope]), example: exampleRules },
    responses: { 200: json("the effect", answer.previewAnswer), 400: error("an invalid rule set") },
  },
  {
    method: "get",
    path: "/api/sites/:site/visitors",
    tag: "Visitors",
    summary: "The leaderboard, or the lead with an email",
    description:
      "Leads best first (`order=score`) or most recently seen first (`order=lastSeen`), narrowed by class, grade, prospect and trait (`trait=title:Director`, any case). A filtered page looks at up to 1,000 leads and may hold fewer than `limit`: follow `nextCursor` until it is null. With `email`, the lead identified with it (or none).",
    scope: "read",
    params: siteParams,
    query: listQuery,
    queryExample: { order: "score", limit: 20, class: "hot", trait: "title:Director" },
    responses: { 200: json("a page of leads", answer.visitorsAnswer), 400: error("an invalid query") },
  },
  {
    method: "get",
    path: "/api/sites/:site/visitors/:id",
    tag: "Visitors",
    summary: "One lead's score and why",
    scope: "read",
    params: visitorParams,
    responses: { 200: json("the lead", answer.visitorAnswer), 404: error("no such visitor") },
  },
  {
    method: "get",
    path: "/api/sites/:site/visitors/:id/history",
    tag: "Visitors",
    summary: "Score history",
    description: "The score and each dimension after every stored event, oldest first, with the points each event earned or moved per rule, replayed under the rules in force.",
    scope: "read",
    params: visitorParams,
    query: historyQuery,
    queryExample: { limit: 100 },
    responses: { 200: json("a page of steps", answer.historyAnswer), 404: error("no such visitor") },
  },
  {
    method: "get",
    path: "/api/sites/:site/visitors/:id/events",
    tag: "Visitors",
    summary: "Every event of a lead",
    description: "All stored events of the lead's visitor ids, newest first, a page at a time.",
    scope: "read",
    params: visitorParams,
    query: eventsQuery,
    queryExample: { limit: 50 },
    responses: { 200: json("a page of events", answer.timelineAnswer), 404: error("no such visitor") },
  },
  {
    method: "delete",
    path: "/api/sites/:site/visitors/:id",
    tag: "Visitors",
    summary: "Erase a person",
    description: "Every row of all the lead's visitor ids and their lines in stored lists; the ids are never tracked again.",
    scope: "admin",
    params: { site: siteId, id: clientId },
    responses: { 200: json("what was erased", answer.erasureAnswer) },
  },
  {
    method: "get",
    path: "/api/sites/:site/prospects",
    tag: "Prospects",
    summary: "The daily prospect list",
    description: "The list stored at the site's list hour or, for today before then, the live list (`stored: false`: leads over the threshold now, in the order of their stored score; a page that skips many leads that dropped under the threshold can hold fewer than `limit` lines, and a live cursor answers 400 once the day's list is stored). JSON a page at a time (`limit`, `cursor` from `nextCursor`), or CSV (`format=csv`, the whole list, streamed) with `visitor_id,email,score,class,grade,prospect_since,new,reasons,name,company,title,last_seen,source,email_verified,stage,probability,outcome,reason,value`; `bom=1` starts the CSV with a UTF-8 byte order mark for Excel.",
    scope: "read",
    params: siteParams,
    query: prospectsQuery,
    queryExample: { date: "2026-11-23", format: "csv", bom: "1" },
    responses: {
      200: { ...json("the list", answer.prospectsAnswer), description: "the list (text/csv with format=csv)" },
      404: error("no list was stored for that date"),
    },
  },
  {
    method: "get",
    path: "/api/sites/:site/accounts",
    tag: "Accounts",
    summary: "Leads rolled up per company",
    description:
      "The roll-up the site's daily run stored (at its list hour), best score first, a page at a time (`limit`, `cursor` from `nextCursor`). A lead's account is its `company` trait, or its email's domain unless that is a free-mail provider; scores are as of `asOf`, emails as they stand now. Before the first daily run `stored` is false and `accounts` empty.",
    scope: "read",
    params: siteParams,
    query: accountsQuery,
    queryExample: { limit: 20 },
    responses: { 200: json("accounts, best first", answer.accountsAnswer), 404: error("the cursor's roll-up was replaced by a newer one") },
  },
  {
    method: "post",
    path: "/api/sites/:site/events",
    tag: "Collect",
    summary: "Server-side events",
    description:
      "Email, webinar, form, call and CRM events, and outcomes (`outcome_accepted`, `outcome_rejected` with props.reason, `outcome_won` with an optional props.value, `outcome_lost`), for a visitor id or an email, with the beacon's dedupe and clock-skew rules. They keep their own times and never make website visits.",
    scope: "ingest",
    params: siteParams,
    body: {
      schema: serverEventsBody,
      example: { email: "ana@example.com", events: [{ id: "mailer-81f2a9", type: "email_click", at: 1795420800000, props: { campaign: "nov" } }] },
    },
    responses: {
      202: json("stored and scored", answer.serverEventsAnswer, { visitorId: "em-3f9a0c1d2e4b5a6978c0d1e2f3a4b5c6", accepted: 1, duplicates: 0 }),
      400: error("invalid body"),
      429: error(`a lead that keeps its most events (${MAX_LEAD_EVENTS.toLocaleString("en")}) already; outcomes from the prospect CSV are still taken`),
    },
  },
  {
    method: "post",
    path: "/api/sites/:site/prospects/outcomes",
    tag: "Outcomes",
    summary: "Outcomes from the prospect CSV",
    description:
      "The prospect CSV back from sales with `outcome` (accepted, rejected, won, lost), `reason` (required for rejected), `value` (won) and optionally `outcome_at` (ISO 8601); rows name their lead by `visitor_id` or `email`, rows without an outcome are skipped. Every row is checked before anything is written: a bad one is a 400 naming its line. At most 200 outcomes.",
    scope: "ingest",
    params: siteParams,
    body: { contentType: "text/csv", schema: z.string().describe("a CSV document with a header row"), example: "visitor_id,email,outcome,reason,value\r\nk3j5h2g7f8d9s0a1,,won,,12000\r\n,bo@example.com,rejected,no budget,\r\n" },
    responses: { 202: json("recorded", answer.outcomesCsvAnswer, { outcomes: 2, recorded: 2, unchanged: 0, duplicates: 0 }), 400: error("a bad row, naming its line; nothing was recorded") },
  },
  {
    method: "get",
    path: "/api/sites/:site/insights",
    tag: "Outcomes",
    summary: "Evidence from outcomes",
    description:
      "Over leads whose latest outcome is at or after `since`: conversion per score decile, class and rule (with lift and a Bonferroni-corrected two-proportion z test), the score's ROC AUC for won against the rest, the counts they rest on (no rate below `minGroup` leads), and the predictive model with its proposed rule set (for POST .../rules/preview).",
    scope: "read",
    params: siteParams,
    query: insightsQuery,
    queryExample: { since: "2026-06-01" },
    responses: { 200: json("the evidence", answer.insightsAnswer), 400: error("an invalid query") },
  },
  {
    method: "post",
    path: "/api/sites/:site/insights/train",
    tag: "Outcomes",
    summary: "Fit the predictive model",
    description: "L2-regularised logistic regression of P(won) on the rules' features, from at most 10,000 leads with an outcome; stored for the site. The daily cron does the same.",
    scope: "admin",
    params: siteParams,
    responses: { 201: json("the model", answer.trainAnswer), 409: error("fewer than 30 won or 30 other outcomes") },
  },
  {
    method: "get",
    path: "/api/openapi.json",
    tag: "Reference",
    summary: "This document",
    scope: null,
    responses: { 200: { description: "the OpenAPI 3.1 document" } },
  },
  {
    method: "get",
    path: "/api/docs",
    tag: "Reference",
    summary: "The interactive API reference",
    scope: null,
    responses: { 200: { description: "an HTML page", contentType: "text/html" } },
  },
];
