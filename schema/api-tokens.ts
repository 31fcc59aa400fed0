import { integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** What a token may do: admin everything, read the GET routes, ingest server-side events. */
export const TOKEN_SCOPES = ["admin", "read", "ingest"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** API tokens made through the API. Only a SHA-256 hash of each secret is stored; the secret is shown once. */
export const apiTokens = sqliteTable(
  "api_tokens",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    scope: text("scope", { enum: TOKEN_SCOPES }).notNull(),
    /** Hex SHA-256 of the secret: what a request's bearer token is looked up by. */
    hash: text("hash").notNull(),
    createdAt: integer("created_at").notNull(),
    /** When the token was revoked (ms), or null while it is valid. Revoked tokens are kept for the record. */
    revokedAt: integer("revoked_at"),
    /** The sites the token may reach (their ids), or null for every site. */
    sites: text("sites", { mode: "json" }).$type<string[]>(),
  },
  (t) => [uniqueIndex("api_tokens_by_hash").on(t.hash)],
);

export type ApiTokenRow = typeof apiTokens.$inferSelect;
