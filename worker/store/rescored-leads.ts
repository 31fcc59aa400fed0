import type { VisitorRow } from "../../schema";
import { accountOf } from "../scoring/accounts";
import { verifiedEmail } from "../scoring/state";
import type { Database } from "./db";
import { statement } from "./raw";
import { encodeState } from "./state-codec";
import type { RescoredValues } from "./visitor-writes";

/** A lead a rescore job replayed: the row as the chunk read it, and the values it takes. */
export interface RescoredLead {
  lead: VisitorRow;
  values: RescoredValues;
}

/** What a chunk's rescored leads become: the statements that store them, and how many leads they cover. */
export interface RescoredWrites {
  statements: D1PreparedStatement[];
  /** The leads stored, a prefix of those given (the rest did not fit `maxStatements`). */
  stored: number;
}

/** The largest JSON a write statement binds: D1 takes strings and rows up to 2 MB, so this stays well inside. */
export const RESCORE_JSON_BYTES = 1_000_000;

// One upsert for many leads, driven by a JSON array: each lead is one key lookup (an UPDATE ... FROM
// json_each would walk the site's leads once per entry). The EXISTS keeps a lead erased since the chunk
// read it from coming back, so the insert branch never runs; the update lands only on the version read
// (excluded.version), so a lead a beacon wrote meanwhile, which replayed it under the new rules itself,
// keeps its own row.
const upsert = (identity: boolean) => `INSERT INTO visitors (site_id, id, version, first_seen, last_seen, score, prospect_since,
    next_change_at, rules_version, last_seq, state${identity ? ", email, outcome, outcome_at, account" : ""})
  SELECT ?1, json_extract(value, '$.id'), json_extract(value, '$.version'), 0, 0, json_extract(value, '$.score'),
    json_extract(value, '$.since'), json_extract(value, '$.next'), json_extract(value, '$.rules'), json_extract(value, '$.seq'), json_extract(value, '$.state')
    ${identity ? ", json_extract(value, '$.email'), json_extract(value, '$.outcome'), json_extract(value, '$.at'), json_extract(value, '$.account')" : ""}
  FROM json_each(?2)
  WHERE EXISTS (SELECT 1 FROM visitors AS v WHERE v.site_id = ?1 AND v.id = json_extract(value, '$.id'))
  ON CONFLICT (site_id, id) DO UPDATE SET score = excluded.score, prospect_since = excluded.prospect_since,
    next_change_at = excluded.next_change_at, rules_version = excluded.rules_version, last_seq = excluded.last_seq,
    state = excluded.state${identity ? ", email = excluded.email, outcome = excluded.outcome, outcome_at = excluded.outcome_at, account = excluded.account" : ""},
    version = visitors.version + 1
  WHERE visitors.version = excluded.version`;
const PLAIN = upsert(false);
const IDENTITY = upsert(true);

/** JSON arrays of entries, each at most `maxBytes` long (an entry larger than that goes alone). */
class Packer {
  readonly arrays: string[] = [];
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** Whether an entry of `size` bytes would start another array. */
  opens(size: number): boolean {
    return this.arrays.length === 0 || this.bytes + size + 1 > this.maxBytes;
  }

  add(entry: string, size: number): void {
    if (this.opens(size)) {
      this.arrays.push(entry);
      this.bytes = size + 2;
    } else {
      this.arrays[this.arrays.length - 1] += `,${entry}`;
      this.bytes += size + 1;
    }
  }
}

/**
 * The statements that store a chunk of rescored leads, each row only while it is still at the version the
 * chunk read (see the upsert above). The leads travel as JSON arrays of at most `maxBytes` each (a lead
 * larger than that goes alone), so a statement binds two parameters however many leads it carries; the
 * email, outcome and account columns (and their indexes) are named only for the rows where they change.
 * Leads are taken in the order given until the statements would exceed `maxStatements`.
 */
export function rescoredLeadWrites(
  db: Database,
  siteId: string,
  leads: RescoredLead[],
  maxStatements: number,
  maxBytes = RESCORE_JSON_BYTES,
): RescoredWrites {
  const plain = new Packer(maxBytes);
  const identity = new Packer(maxBytes);
  const encoder = new TextEncoder();
  let stored = 0;
  for (const { lead, values } of leads) {
    const email = verifiedEmail(values.state);
    const outcome = values.state.outcome?.outcome ?? null;
    const at = values.state.outcome?.at ?? null;
    const account = accountOf(values.state);
    const changes = email !== lead.email || outcome !== lead.outcome || at !== lead.outcomeAt || account !== lead.account;
    const entry = JSON.stringify({
      id: lead.id,
      version: lead.version,
      score: values.score,
      since: values.prospectSince,
      next: values.nextChangeAt,
      seq: values.lastSeq,
      rules: values.rulesVersion,
      // The column's stored form, as drizzle's state column writes it (this statement bypasses drizzle).
      state: encodeState(values.state),
      ...(changes ? { email, outcome, at, account } : {}),
    });
    const size = encoder.encode(entry).length;
    const into = changes ? identity : plain;
    const count = plain.arrays.length + identity.arrays.length + (into.opens(size) ? 1 : 0);
    if (stored > 0 && count > maxStatements) break;
    into.add(entry, size);
    stored += 1;
  }
  const bind = (sql: string) => (entries: string) => statement(db, sql, siteId, `[${entries}]`);
  return { statements: [...plain.arrays.map(bind(PLAIN)), ...identity.arrays.map(bind(IDENTITY))], stored };
}
