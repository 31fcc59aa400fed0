import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { TOKEN_SCOPES } from "./api-tokens";

/**
 * Console sign-ins. The browser holds a random session id in an HttpOnly cookie; only its SHA-256 is kept
 * here, with the hash of the API token it was opened with, so revoking that token ends the session too.
 */
export const consoleSessions = sqliteTable("console_sessions", {
  /** Hex SHA-256 of the cookie's session id. */
  idHash: text("id_hash").primaryKey(),
  /** Hex SHA-256 of the token that signed in. */
  tokenHash: text("token_hash").notNull(),
  /** The scope the token had at sign-in; every request checks the token again. */
  scope: text("scope", { enum: TOKEN_SCOPES }).notNull(),
  /** The per-session anti-CSRF value every console form carries. */
  csrf: text("csrf").notNull(),
  createdAt: integer("created_at").notNull(),
  expiresAt: integer("expires_at").notNull(),
});

export type ConsoleSessionRow = typeof consoleSessions.$inferSelect;
