-- Hand-edited after drizzle-kit generate: the new keyed tables are WITHOUT ROWID like the others (an insert
-- writes one row, not row + key index); erased_visitors is read by key on every beacon write.
CREATE TABLE `api_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`scope` text NOT NULL,
	`hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`revoked_at` integer
) WITHOUT ROWID;
--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_by_hash` ON `api_tokens` (`hash`);--> statement-breakpoint
CREATE TABLE `erased_visitors` (
	`site_id` text NOT NULL,
	`visitor_hash` text NOT NULL,
	`erased_at` integer NOT NULL,
	PRIMARY KEY(`site_id`, `visitor_hash`)
) WITHOUT ROWID;
--> statement-breakpoint
ALTER TABLE `sites` ADD `retention_days` integer DEFAULT 395 NOT NULL;--> statement-breakpoint
ALTER TABLE `sites` ADD `webhook_url` text;--> statement-breakpoint
ALTER TABLE `sites` ADD `webhook_secret` text;--> statement-breakpoint
ALTER TABLE `visitors` ADD `email` text;--> statement-breakpoint
ALTER TABLE `visitors` ADD `lead_id` text;--> statement-breakpoint
ALTER TABLE `visitors` ADD `last_seq` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `visitors` ADD `window_start` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `visitors` ADD `window_events` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `visitors_by_email` ON `visitors` (`site_id`,`email`) WHERE "visitors"."email" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `visitors_by_lead` ON `visitors` (`site_id`,`lead_id`) WHERE "visitors"."lead_id" IS NOT NULL;