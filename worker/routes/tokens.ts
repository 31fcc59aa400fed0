import { Hono } from "hono";
import { z } from "zod";
import { TOKEN_SCOPES, type ApiTokenRow } from "../../schema";
import { siteId } from "../ingest/ids";
import type { AppEnv } from "../lib/app-env";
import { requireScope } from "../lib/auth";
import { sha256Hex } from "../lib/hash";
import { ApiError } from "../lib/errors";
import { validate } from "../lib/validate";
import { insertToken, listTokens, revokeToken } from "../store/tokens";

/** POST /api/tokens body. */
export const newToken = z.strictObject({
  name: z.string().trim().min(1).max(100),
  scope: z.enum(TOKEN_SCOPES),
  /** Limits the token to these sites; without it the token reaches every site. */
  sites: z
    .array(siteId)
    .min(1)
    .max(100)
    .refine((ids) => new Set(ids).size === ids.length, "a site is listed twice")
    .optional(),
});

export const tokenId = z.string().regex(/^tok_[A-Za-z0-9_-]{16}$/, "not a token id");

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The public shape of a token: never its secret or hash. */
function tokenJson(t: ApiTokenRow) {
  return { id: t.id, name: t.name, scope: t.scope, sites: t.sites, createdAt: iso(t.createdAt), revokedAt: iso(t.revokedAt) };
}

function randomPart(bytes: number): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...raw)).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
}

/** POST, GET /api/tokens and DELETE /api/tokens/:id: API tokens, admin only. */
export const tokensRoutes = new Hono<AppEnv>()
  .post("/", requireScope("admin"), validate("json", newToken), async (c) => {
    const { name, scope, sites } = c.req.valid("json");
    // 32 random bytes: guessing is hopeless, so a plain SHA-256 (no slow hash) is enough to store it.
    const secret = `lsk_${randomPart(32)}`;
    const row: ApiTokenRow = { id: `tok_${randomPart(12)}`, name, scope, hash: await sha256Hex(secret), createdAt: Date.now(), revokedAt: null, sites: sites ?? null };
    await insertToken(c.var.db, row);
    // The secret is shown this once; only its hash is kept.
    return c.json({ token: tokenJson(row), secret }, 201);
  })
  .get("/", requireScope("admin"), async (c) => c.json({ tokens: (await listTokens(c.var.db)).map(tokenJson) }))
  .delete("/:id", requireScope("admin"), async (c) => {
    const id = c.req.param("id");
    if (!tokenId.safeParse(id).success) throw new ApiError("bad_request", "invalid token id");
    const row = await revokeToken(c.var.db, id, Date.now());
    if (!row) throw new ApiError("not_found", `no token "${id}"`);
    return c.json({ token: tokenJson(row) });
  });
