/** What sales and CRMs report became of a lead. */
export const OUTCOMES = ["accepted", "rejected", "won", "lost"] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Each outcome travels as an event of this type in the lead's history. */
export const OUTCOME_EVENT_TYPES = OUTCOMES.map((o) => `outcome_${o}` as const);

/**
 * Event types only the collector's API may send (ingest scope): email, call, form and webinar engagement,
 * identify, and outcomes (the whole outcome_ namespace). A page could otherwise fire the rules that score
 * them, so the public beacon refuses them, since anything a browser sends is a claim. One list, shared by
 * every route that checks.
 */
export const SERVER_OWNED_TYPES = {
  prefixes: ["email_", "call_", "outcome_"],
  names: ["form_submit", "webinar_attended", "identify", ...OUTCOME_EVENT_TYPES],
} as const;

/** Is this an event type only the API may send? */
export function isServerOwned(type: string): boolean {
  return SERVER_OWNED_TYPES.prefixes.some((p) => type.startsWith(p)) || (SERVER_OWNED_TYPES.names as readonly string[]).includes(type);
}

/** Is this name in the outcome_ namespace, which only the four outcome types may use? */
export function inOutcomeNamespace(type: string): boolean {
  return type.startsWith("outcome_");
}

/** Where a lead stands: new, a prospect (over the threshold), or its latest outcome. */
export const STAGES = ["new", "prospect", ...OUTCOMES] as const;
export type Stage = (typeof STAGES)[number];

/** A lead's latest outcome, kept in its score state. */
export interface OutcomeRecord {
  outcome: Outcome;
  /** When it happened (ms). */
  at: number;
  reason?: string;
  value?: number;
  /**
   * The lead as sales saw it when the outcome came: its total score, and per rule how often it had fired
   * (1 for a fit or absence rule that held; rules at 0 left out). Insights and the predictive model judge
   * the rules by these, so what a lead did after it was won or lost does not count as evidence.
   */
  score?: number;
  fired?: Record<string, number>;
  /**
   * Rejected and not below the threshold since: the lead stays off the prospect list until its score
   * falls below the threshold and reaches it again.
   */
  held?: boolean;
}

/** The outcome an event type reports, or null for any other event. */
export function outcomeOf(type: string): Outcome | null {
  if (!type.startsWith("outcome_")) return null;
  const name = type.slice("outcome_".length);
  return (OUTCOMES as readonly string[]).includes(name) ? (name as Outcome) : null;
}

/** The outcome record an outcome event makes (reason for a rejection, value for a win). */
export function outcomeRecord(outcome: Outcome, at: number, props: Record<string, unknown> | null | undefined): OutcomeRecord {
  const record: OutcomeRecord = { outcome, at };
  if (typeof props?.reason === "string") record.reason = props.reason;
  if (typeof props?.value === "number" && Number.isFinite(props.value)) record.value = props.value;
  if (outcome === "rejected") record.held = true;
  return record;
}

/**
 * A lead's stage: its latest outcome, except that a rejected lead that crossed the threshold again since
 * is a prospect anew; without an outcome, prospect or new.
 */
export function stageOf(outcome: OutcomeRecord | undefined, prospect: boolean): Stage {
  if (outcome && !(outcome.outcome === "rejected" && prospect)) return outcome.outcome;
  return prospect ? "prospect" : "new";
}

/** What is wrong with an outcome event's properties (a rejection needs a reason; a win's value is a number), or null. */
export function outcomePropsProblem(type: string, props: Record<string, unknown> | null | undefined): string | null {
  const outcome = outcomeOf(type);
  if (outcome === "rejected" && (typeof props?.reason !== "string" || props.reason.trim() === "")) return "a rejection gives its reason in props.reason";
  if (outcome === "won" && props?.value !== undefined && (typeof props.value !== "number" || props.value < 0)) return "a win's props.value is a number, 0 or more";
  return null;
}
