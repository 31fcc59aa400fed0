import { describe, expect, it } from "vitest";
import { call } from "../support/api";

const auth = { authorization: "Bearer test-token" };

describe("what a refused body says", () => {
  it.each([
    ["valid JSON with a wrong field names the field, not JSON", { "content-type": "application/json" }, JSON.stringify({ name: "", origins: ["https://a.example"] }), /^invalid body: name: /],
    ["JSON that does not parse says so, with the parser's reason", { "content-type": "application/json" }, '{"name": ', /^body is not valid JSON: /],
    ["JSON sent as text/plain asks for the content type", { "content-type": "text/plain" }, JSON.stringify({ name: "A", origins: ["https://a.example"] }), /Content-Type: application\/json \(got text\/plain\)/],
    // Bytes, so that fetch adds no content type of its own.
    ["a body with no content type asks for it", {}, new TextEncoder().encode(JSON.stringify({ name: "A", origins: ["https://a.example"] })), /Content-Type: application\/json$/],
  ])("%s", async (_name, headers, body, message) => {
    const res = await call("/api/sites", { method: "POST", headers: { ...auth, ...headers }, body });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe("bad_request");
    expect(error.message).toMatch(message);
    expect((await call("/api/sites", { headers: auth }).then((r) => r.json())) as unknown).toEqual({ sites: [] });
  });

  it("names the query as the query", async () => {
    const res = await call("/api/sites/acme/visitors?limit=0", { headers: auth });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/^invalid query: limit: /);
  });
});
