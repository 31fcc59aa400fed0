import { parseCsv } from "../lib/csv";
import { ApiError } from "../lib/errors";
import { OUTCOMES, type Outcome } from "../scoring/outcomes";
import { correctedTime } from "./clock";
import { clientId } from "./ids";
import { emailAddress } from "./props";

/** At most this many outcomes per upload: each lead is one scoring write, within a request's D1 budget. */
export const MAX_CSV_OUTCOMES = 200;

/** One outcome read from an uploaded prospect CSV. */
export interface CsvOutcome {
  line: number;
  visitorId?: string;
  email?: string;
  outcome: Outcome;
  reason?: string;
  value?: number;
  /** When it happened (ms): the row's outcome_at, or the upload's receipt time. */
  at: number;
  /** The row gave its own time (so it is not a restatement of the lead's current outcome). */
  dated: boolean;
}

const bad = (line: number, message: string) => new ApiError("bad_request", `invalid CSV: line ${line}: ${message}`);

/**
 * Reads the outcomes of a prospect CSV that sales filled in: the columns visitor_id and/or email name the
 * lead, outcome is accepted, rejected, won or lost (rows without one are skipped), reason (required for
 * rejected), value (for won) and outcome_at (ISO 8601) are optional; other columns are ignored. Any bad
 * row refuses the whole upload with a 400 naming its line.
 */
export function readOutcomeCsv(text: string, receivedAt: number): CsvOutcome[] {
  let records;
  try {
    records = parseCsv(text);
  } catch (err) {
    throw new ApiError("bad_request", `invalid CSV: ${(err as Error).message}`);
  }
  const [header, ...rows] = records;
  if (!header) throw new ApiError("bad_request", "invalid CSV: it is empty");
  const names = header.cells.map((h) => h.trim().toLowerCase());
  const col = (name: string) => names.indexOf(name);
  const [idCol, emailCol, outcomeCol, reasonCol, valueCol, atCol] = ["visitor_id", "email", "outcome", "reason", "value", "outcome_at"].map(col) as number[];
  if (outcomeCol === -1) throw bad(header.line, "the header has no outcome column");
  if (idCol === -1 && emailCol === -1) throw bad(header.line, "the header has neither a visitor_id nor an email column");
  const cell = (cells: string[], i: number | undefined) => (i === undefined || i < 0 ? "" : (cells[i] ?? "").trim());

  const out: CsvOutcome[] = [];
  for (const { line, cells } of rows) {
    const outcome = cell(cells, outcomeCol).toLowerCase();
    if (outcome === "") continue;
    if (!(OUTCOMES as readonly string[]).includes(outcome)) throw bad(line, `outcome "${outcome}" is not one of ${OUTCOMES.join(", ")}`);
    const row: CsvOutcome = { line, outcome: outcome as Outcome, at: receivedAt, dated: false };
    const id = cell(cells, idCol);
    const email = cell(cells, emailCol).toLowerCase();
    if (id !== "") {
      if (!clientId.safeParse(id).success) throw bad(line, `visitor_id "${id}" is not a visitor id`);
      row.visitorId = id;
    } else if (email !== "") {
      if (!emailAddress.safeParse(email).success) throw bad(line, `email "${email}" is not an email address`);
      row.email = email;
    } else throw bad(line, "give the lead's visitor_id or email");
    const reason = cell(cells, reasonCol);
    if (reason.length > 500) throw bad(line, "reason is over 500 characters");
    if (reason !== "") row.reason = reason;
    if (row.outcome === "rejected" && !row.reason) throw bad(line, "a rejection gives its reason");
    const value = cell(cells, valueCol);
    if (value !== "") {
      const n = Number(value);
      if (row.outcome !== "won") throw bad(line, "value goes with won");
      if (!Number.isFinite(n) || n < 0) throw bad(line, `value "${value}" is not a number, 0 or more`);
      row.value = n;
    }
    const at = cell(cells, atCol);
    if (at !== "") {
      const ms = Date.parse(at);
      if (!/^\d{4}-\d{2}-\d{2}/.test(at) || !Number.isFinite(ms)) throw bad(line, `outcome_at "${at}" is not an ISO 8601 date`);
      // The same bounds as any event time: not in the future, at most 7 days back.
      row.at = correctedTime(receivedAt, receivedAt, ms);
      row.dated = true;
    }
    out.push(row);
  }
  if (out.length > MAX_CSV_OUTCOMES) throw new ApiError("bad_request", `invalid CSV: at most ${MAX_CSV_OUTCOMES} outcomes per upload (this one has ${out.length})`);
  return out;
}
