import { Hono } from "hono";
import type { AppEnv } from "../lib/app-env";
import { requireScope } from "../lib/auth";
import { ApiError } from "../lib/errors";
import { sha256Hex } from "../lib/hash";
import { siteFromPath } from "../lib/site-param";
import { newEmailLeadId, serverProps } from "../ingest/email-lead";
import { readOutcomeCsv, type CsvOutcome } from "../ingest/outcome-csv";
import { scoreBatch, type IncomingEvent } from "../ingest/score-batch";
import { enqueueNotices } from "../jobs/webhook";
import { IDENTIFY } from "../scoring/engine";
import { leadOutcomesByEmail, leadOutcomesByVisitor } from "../store/visitor-reads";

/** The outcome event a CSV row records, its id made from the row's content so a re-upload counts once. */
async function outcomeEvent(visitorId: string, row: CsvOutcome): Promise<IncomingEvent> {
  const key = [visitorId, row.outcome, row.reason ?? "", row.value ?? "", row.dated ? row.at : ""].join("\n");
  const props: Record<string, unknown> = {};
  if (row.reason !== undefined) props.reason = row.reason;
  if (row.value !== undefined) props.value = row.value;
  return { id: `csv-${(await sha256Hex(key)).slice(0, 40)}`, type: `outcome_${row.outcome}`, ts: row.at, path: null, props, via: "api" };
}

/**
 * POST /api/sites/:site/prospects/outcomes (text/csv): the prospect CSV back from sales with an outcome
 * column. Every row is checked before anything is written; a bad one refuses the upload with a 400 that
 * names its line. Rows that restate a lead's current outcome change nothing.
 */
export const outcomesCsvRoutes = new Hono<AppEnv>().post("/", requireScope("ingest"), async (c) => {
  if (!/^text\/csv\b/i.test(c.req.header("content-type") ?? "")) throw new ApiError("bad_request", "send the prospect CSV with content-type text/csv");
  const receivedAt = Date.now();
  const rows = readOutcomeCsv(await c.req.text(), receivedAt);
  const site = await siteFromPath(c);
  const [byVisitor, byEmail] = await Promise.all([
    leadOutcomesByVisitor(c.var.db, site.id, rows.flatMap((r) => (r.visitorId ? [r.visitorId] : []))),
    leadOutcomesByEmail(c.var.db, site.id, rows.flatMap((r) => (r.email ? [r.email] : []))),
  ]);
  // Resolve every row before writing any, so an unknown visitor id refuses the whole upload.
  const batches = new Map<string, IncomingEvent[]>();
  let unchanged = 0;
  // New leads this upload starts, so two rows with one new email name the same lead.
  const started = new Map<string, string>();
  for (const row of rows) {
    let visitorId: string;
    let current: string | null = null;
    const extra: IncomingEvent[] = [];
    if (row.visitorId) {
      const known = byVisitor.get(row.visitorId);
      if (!known) throw new ApiError("bad_request", `invalid CSV: line ${row.line}: no visitor "${row.visitorId}" on site "${site.id}"`);
      visitorId = row.visitorId;
      current = known.outcome;
    } else {
      const email = row.email as string;
      const known = byEmail.get(email);
      const fresh = known ? undefined : started.get(email);
      visitorId = known?.leadId ?? fresh ?? newEmailLeadId();
      current = known?.outcome ?? null;
      // A lead first known by this upload is named by its (verified) email, as the events API does.
      if (!known && fresh === undefined) {
        started.set(email, visitorId);
        extra.push({ id: `${visitorId}-email`, type: IDENTIFY, ts: row.at, path: null, props: serverProps(IDENTIFY, { email }), via: "api" });
      }
    }
    if (current === row.outcome && !row.dated) {
      unchanged += 1;
      continue;
    }
    const list = batches.get(visitorId) ?? [];
    list.push(...extra, await outcomeEvent(visitorId, row));
    batches.set(visitorId, list);
  }
  const notices: NonNullable<Awaited<ReturnType<typeof scoreBatch>>["notify"]>[] = [];
  let recorded = 0;
  let duplicates = 0;
  for (const [visitorId, events] of batches) {
    // Sales' verdicts land even on a lead that keeps its most events (lead-history.ts): a lead gets few.
    const result = await scoreBatch(c.var.db, site.id, visitorId, events, receivedAt, () => {}, null);
    recorded += result.accepted.filter((id) => id.startsWith("csv-")).length;
    duplicates += events.filter((e) => e.id.startsWith("csv-") && !result.accepted.includes(e.id)).length;
    if (result.notify) notices.push(result.notify);
  }
  if (notices.length > 0) c.executionCtx.waitUntil(enqueueNotices(c.env.JOBS, notices).catch((err: unknown) => console.error("enqueueing prospect notices failed", err)));
  return c.json({ outcomes: rows.length, recorded, unchanged, duplicates }, 202);
});
