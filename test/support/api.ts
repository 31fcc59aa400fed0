import { exports } from "cloudflare:workers";
import { env } from "cloudflare:workers";
import { hmacSha256Hex } from "../../worker/lib/hash";
import type { Beacon } from "../../worker/routes/collect";
import type { RuleSetInput } from "../../worker/scoring/rules";

export const TOKEN = "test-token";
export const ORIGIN = "https://shop.example";
/** A desktop Chrome user agent: what the tracker's beacons carry in the tests unless one says otherwise. */
export const CHROME_UA =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

/** A request to the worker under test, as the outside world would send it. */
export function call(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(new Request(`https://collector.test${path}`, init));
}

/** An API request with the bearer token and a JSON body. */
export function api(path: string, method = "GET", body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  return call(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

/** The identity secrets createSite was shown, by site id (a test's storage starts empty, so ids repeat). */
const identitySecrets = new Map<string, string>();

/** Creates a site (default rules unless given) and returns its id. */
export async function createSite(id = "acme", rules?: RuleSetInput, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await api("/api/sites", "POST", { id, name: `Site ${id}`, origins: [ORIGIN], rules, ...extra });
  if (res.status !== 201) throw new Error(`createSite: ${res.status} ${await res.text()}`);
  identitySecrets.set(id, ((await res.json()) as { identitySecret: string }).identitySecret);
  return id;
}

/** The hex HMAC-SHA256 of an email under the identity secret of a site createSite made: what its backend computes. */
export function signEmail(site: string, email: string): Promise<string> {
  const secret = identitySecrets.get(site);
  if (!secret) throw new Error(`signEmail: no identity secret for site ${site}`);
  return hmacSha256Hex(secret, email);
}

/** A browser identify signed by the site's backend: a verified identify. */
export async function signedIdentify(site: string, email: string, traits: Record<string, string | number> = {}) {
  return event("identify", "/", 0, { d: { ...traits, email, sig: await signEmail(site, email) } });
}

/** A browser identify without a signature: a claim. */
export function claimedIdentify(email: string, traits: Record<string, string | number> = {}) {
  return event("identify", "/", 0, { d: { ...traits, email } });
}

let counter = 0;
/** A fresh client id (event or visitor). */
export function newId(prefix = "ev"): string {
  counter += 1;
  return `${prefix}${String(counter).padStart(8, "0")}${Math.random().toString(36).slice(2, 8)}`;
}

/** A beacon event; `ago` is how long before sending it happened (ms). */
export function event(type: string, path = "/", ago = 0, extra: Record<string, unknown> = {}) {
  return { ...(type.startsWith("custom:") ? { n: "track", c: type.slice(7) } : { n: type }), i: newId(), path, ago, ...extra };
}

type Ev = ReturnType<typeof event>;

/** The beacon body for some events, sent now. */
export function beaconBody(site: string, visitor: string, events: Ev[], now = Date.now()): Beacon {
  return {
    s: site,
    v: visitor,
    t: now,
    e: events.map(({ path, ago, ...e }) => ({ ...e, t: now - ago, u: `${ORIGIN}${path}` }) as Beacon["e"][number]),
  };
}

/** Sends a beacon the way a browser does: text/plain JSON with the page's Origin and the browser's user agent. */
export function sendBeacon(body: unknown, origin: string | null = ORIGIN, userAgent: string | null = CHROME_UA): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "text/plain;charset=UTF-8" };
  if (origin) headers.origin = origin;
  if (userAgent) headers["user-agent"] = userAgent;
  return call("/e", { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) });
}

/** Sends events for a visitor and expects them accepted. */
export async function track(site: string, visitor: string, ...events: Ev[]): Promise<{ accepted: number; duplicates: number }> {
  const res = await sendBeacon(beaconBody(site, visitor, events));
  if (res.status !== 202) throw new Error(`track: ${res.status} ${await res.text()}`);
  return res.json();
}

/** A visitor's detail from the API. */
export async function visitor(site: string, id: string): Promise<VisitorJson> {
  const res = await api(`/api/sites/${site}/visitors/${id}`);
  if (res.status !== 200) throw new Error(`visitor: ${res.status} ${await res.text()}`);
  return res.json();
}

export interface VisitorJson {
  id: string;
  visitorIds: string[];
  score: number;
  prospect: boolean;
  visits: number;
  breakdown: { rule: string; label: string; points: number; fired: number }[];
  source: Record<string, string> | null;
  recentEvents: { id: string; type: string; path: string }[];
}

const TABLES = ["sites", "rule_sets", "visitors", "events", "prospect_lists", "api_tokens", "erased_visitors"] as const;

/** Row counts of every table: "changes nothing" means these stay equal. */
export async function tableCounts(): Promise<Record<(typeof TABLES)[number], number>> {
  const out = Object.fromEntries(TABLES.map((t) => [t, 0])) as Record<(typeof TABLES)[number], number>;
  for (const t of TABLES) out[t] = (await env.DB.prepare(`SELECT count(*) AS n FROM ${t}`).first<{ n: number }>())?.n ?? 0;
  return out;
}
