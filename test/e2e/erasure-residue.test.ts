// Erasure on disk: after DELETE, what the local database (the SQLite file wrangler dev keeps) still holds of
// the erased person. D1 refuses PRAGMA secure_delete and VACUUM, so the erasure batch overwrites the person's
// values in place before it deletes the rows; this test reads the file's bytes.
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { expect, inject, it } from "vitest";
import { E2E_SITE } from "./stack.ts";

const { collector, token, persistTo } = inject("stack");

/** The collector's D1 database file (one .sqlite under the persist folder). */
function databaseFile(dir: string): string {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const found = statSync(path).isDirectory() ? databaseFile(path) : name.endsWith(".sqlite") && path.includes("D1") ? path : "";
    if (found) return found;
  }
  return "";
}

/**
 * The database file as it is once SQLite has checkpointed its write-ahead log (which it does by itself as
 * the log grows): read from a copy, so the running collector's files are never touched.
 */
function checkpointedBytes(file: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), "leadscore-erasure-"));
  try {
    const copy = join(dir, "db.sqlite");
    copyFileSync(file, copy);
    if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${copy}-wal`);
    const db = new DatabaseSync(copy);
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    db.close();
    return readFileSync(copy);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const call = (path: string, method = "GET", body?: unknown) =>
  fetch(`${collector}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });

it("leaves no erased event properties or paths in the database file", async () => {
  const mark = Math.random().toString(36).slice(2, 12);
  const secrets = [`Title-${mark}-Secret`, `campaign-${mark}-secret`, `/private/${mark}/page`];
  const sent = await call(`/api/sites/${E2E_SITE}/events`, "POST", {
    email: `erase-${mark}@example.com`,
    events: [
      { id: `crm-${mark}-1`, type: "identify", at: Date.now(), props: { title: secrets[0] } },
      { id: `mail-${mark}-1`, type: "email_click", at: Date.now(), props: { campaign: secrets[1], link: secrets[2] } },
    ],
  });
  expect(sent.status).toBe(202);
  const { visitorId } = (await sent.json()) as { visitorId: string };
  const file = databaseFile(persistTo);
  // The test can see what it looks for: before the erasure, the values are in the file.
  const before = checkpointedBytes(file);
  expect(secrets.map((s) => before.includes(s))).toEqual([true, true, true]);

  expect((await call(`/api/sites/${E2E_SITE}/visitors/${visitorId}`, "DELETE")).status).toBe(200);
  expect((await call(`/api/sites/${E2E_SITE}/visitors/${visitorId}`)).status).toBe(404);

  // The events' properties and paths are overwritten in place. The title also lives in the lead's score
  // state, whose earlier versions (each write rewrites the row) SQLite leaves in page free space: README,
  // "Erasure on disk", says so; only the events' values are asserted here.
  const after = checkpointedBytes(file);
  expect(secrets.slice(1).map((s) => after.includes(s))).toEqual([false, false]);
});
