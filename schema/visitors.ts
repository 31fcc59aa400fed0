import { sql } from "drizzle-orm";
import { customType, index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { OUTCOMES } from "../worker/scoring/outcomes";
import type { ScoreState } from "../worker/scoring/state";
import { decodeState, encodeState } from "../worker/store/state-codec";

/** The score state column: compact JSON written and read through the state codec (store/state-codec.ts). */
const scoreState = customType<{ data: ScoreState; driverData: string }>({
  dataType: () => "text",
  toDriver: encodeState,
  fromDriver: decodeState,
});

/** A browser's visitor id on one site, with its score state (everything the engine needs to go on). */
export const visitors = sqliteTable(
  "visitors",
  {
    siteId: text("site_id").notNull(),
    id: text("id").notNull(),
    score: real("score").notNull().default(0),
    /** When the visitor last crossed the prospect threshold (ms), or null below it. */
    prospectSince: integer("prospect_since"),
    state: scoreState("state").notNull(),
    /** Optimistic-concurrency counter: every write moves it, every write checks it. */
    version: integer("version").notNull(),
    firstSeen: integer("first_seen").notNull(),
    lastSeen: integer("last_seen").notNull(),
    /**
     * The lead's email once a verified identify named it (lowercase), for server-side events sent by email
     * and for joining leads. An unverified browser claim stays in the state only.
     */
    email: text("email"),
    /**
     * Set when this visitor turned out to be the same person as another (the same email): the id of
     * the lead whose row holds the score. This row then only links its events to that lead.
     */
    leadId: text("lead_id"),
    /** The highest event sequence number given out for this lead (see events.seq). */
    lastSeq: integer("last_seq").notNull().default(0),
    /** Referrer and UTM parameters of the first visit. */
    source: text("source", { mode: "json" }).$type<Record<string, string>>(),
    /**
     * The visitor's rate-limit window: its start (ms, a whole minute) and the events accepted in it. Kept
     * on the visitor row, which every scoring write rewrites anyway, so the limit costs no extra D1 row.
     */
    windowStart: integer("window_start").notNull().default(0),
    windowEvents: integer("window_events").notNull().default(0),
    /**
     * On a lead's own row: how many events the lead keeps, from all its visitor ids (see
     * ingest/lead-history.ts); null until counted (rows from before the column, and leads whose old events
     * retention purged since), which the lead's next write does. Kept on the row every write rewrites anyway.
     */
    storedEvents: integer("stored_events"),
    /** The lead's latest outcome (accepted, rejected, won, lost) and its time: the index insights read. */
    outcome: text("outcome", { enum: OUTCOMES }),
    outcomeAt: integer("outcome_at"),
    /** The site rule-set version the stored state was scored under (0: not yet stamped). */
    rulesVersion: integer("rules_version").notNull().default(0),
    /**
     * The earliest time (ms) at which, without a new event, the score could cross the prospect threshold or
     * a class boundary, or an absence rule start to hold (see scoring/next-change.ts); null when nothing
     * can. Never later than the real change, so a sweep of due rows misses nobody.
     */
    nextChangeAt: integer("next_change_at"),
    /**
     * The time of the visitor's oldest kept event as of the last retention purge (null before one: first
     * seen stands in). Written by the purge only; see store/retention.ts.
     */
    retainedFrom: integer("retained_from"),
    /**
     * The account the lead belongs to as of its last write (scoring/accounts.ts accountOf), for the daily
     * account roll-up's index; written only by writes that change it.
     */
    account: text("account"),
  },
  (t) => [
    primaryKey({ columns: [t.siteId, t.id] }),
    // The leaderboard: (score DESC, id DESC) pages off one index range, ties included; leads only.
    index("visitors_by_score").on(t.siteId, t.score, t.id).where(sql`${t.leadId} IS NULL`),
    // Leads whose score moves with time alone, by when it next can change status.
    index("visitors_by_next_change").on(t.siteId, t.nextChangeAt).where(sql`${t.nextChangeAt} IS NOT NULL AND ${t.leadId} IS NULL`),
    // Partial: anonymous visitors are not in it, so creating one writes no index row.
    index("visitors_by_email").on(t.siteId, t.email).where(sql`${t.email} IS NOT NULL`),
    index("visitors_by_lead").on(t.siteId, t.leadId).where(sql`${t.leadId} IS NOT NULL`),
    // Partial: only leads with an outcome, so insights read those without scanning the site.
    index("visitors_by_outcome").on(t.siteId, t.outcomeAt, t.id).where(sql`${t.outcome} IS NOT NULL`),
    // The visitors whose oldest kept event may have passed retention (see store/retention.ts).
    // Leads grouped by account: the daily roll-up walks it in account order; leads without one cost nothing.
    index("visitors_by_account").on(t.siteId, t.account, t.id).where(sql`${t.account} IS NOT NULL AND ${t.leadId} IS NULL`),
    index("visitors_by_retention").on(t.siteId, sql`coalesce(${t.retainedFrom}, ${t.firstSeen})`),
  ],
);

export type VisitorRow = typeof visitors.$inferSelect;
