// Migration 0010 fills the account column of leads stored before it existed with SQL that must agree with
// the engine's accountOf, which every later write uses: both are run over the same states here.
import { readdirSync, readFileSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { expect, it } from "vitest";
import { accountOf } from "../../worker/scoring/accounts";
import { emptyState, type Trait } from "../../worker/scoring/state";

const DIR = "schema/migrations";
const ACCOUNTS = "0010_account-rollups.sql";

function apply(db: DatabaseSync, file: string): void {
  for (const statement of readFileSync(`${DIR}/${file}`, "utf8").split("--> statement-breakpoint")) if (statement.trim()) db.exec(statement);
}

const STATES: [string, Record<string, Trait>, string | null][] = [
  ["company-trimmed", { company: " Initech " }, "x@gmail.com"],
  ["work-email", {}, "ana@globex.example"],
  ["free-mail", {}, "ana@gmail.com"],
  ["anonymous", {}, null],
  ["company-not-text", { company: 5 }, "bo@acme.example"],
  ["company-blank", { company: "   " }, "eve@initrode.example"],
  ["company-tabs", { company: "\tUmbrella Corp\n" }, null],
  ["company-and-free-mail", { company: "Hooli" }, "gavin@outlook.com"],
];

it("gives leads stored before the account column the account the write path would give them", () => {
  const db = new DatabaseSync(":memory:");
  for (const file of readdirSync(DIR).filter((f) => f.endsWith(".sql") && f < ACCOUNTS).sort()) apply(db, file);
  const insert = db.prepare("INSERT INTO visitors (site_id, id, state, version, first_seen, last_seen, lead_id) VALUES ('s', ?, ?, 1, 0, 0, ?)");
  for (const [id, traits, email] of STATES) insert.run(id, JSON.stringify({ ...emptyState(), traits, email }), null);
  // The compact form (store/state-codec.ts): the email in `e`, the traits in `t`, never a `rules` key.
  insert.run("compact-company", JSON.stringify({ e: "ana@gmail.com", t: { company: "Vandelay " } }), null);
  insert.run("compact-email", JSON.stringify({ e: "kel@wonka.example", t: { title: "CFO" } }), null);
  // A visitor merged into another lead holds no score, and no account.
  insert.run("merged-alias", JSON.stringify({ ...emptyState(), traits: { company: "Initech" } }), "company-trimmed");
  apply(db, ACCOUNTS);
  const stored = Object.fromEntries((db.prepare("SELECT id, account FROM visitors").all() as { id: string; account: string | null }[]).map((r) => [r.id, r.account]));
  const expected = Object.fromEntries(STATES.map(([id, traits, email]) => [id, accountOf({ ...emptyState(), traits, email })]));
  expect(stored).toEqual({ ...expected, "compact-company": "vandelay", "compact-email": "wonka.example", "merged-alias": null });
  expect(expected["company-trimmed"]).toBe("initech");
  db.close();
});
