// The API reference page in real Chromium: it renders every operation of the OpenAPI document, loads
// nothing from another origin, and runs under its Content-Security-Policy without a console error.
import { expect, inject, it } from "vitest";
import { browserSessions } from "./support.ts";

const { collector } = inject("stack");
const open = browserSessions();

it("renders every operation of the document from the collector's own assets, under its CSP", async () => {
  const doc = (await (await fetch(`${collector}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  const operations = Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
  const session = await open(collector);
  const requested: string[] = [];
  session.page.on("request", (r) => requested.push(r.url()));
  const res = await session.page.goto(`${collector}/api/docs`);
  expect(res?.headers()["content-security-policy"]).toContain("script-src 'self'");
  await session.page.locator(".opblock").first().waitFor();
  expect(await session.page.locator(".opblock").count()).toBe(operations);
  expect(await session.page.locator(".info .title").first().textContent()).toContain("leadscore");
  expect(requested.filter((u) => !u.startsWith(collector))).toEqual([]);
});
