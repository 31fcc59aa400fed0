-- Written by hand (drizzle-kit snapshots in meta/ stop at 0001; see README, Development).
-- The console's sign-in sessions and the per-day figures its overview
-- charts. Both keyed tables are WITHOUT ROWID like the others.
CREATE TABLE `console_sessions` (
	`id_hash` text PRIMARY KEY NOT NULL,
	`token_hash` text NOT NULL,
	`scope` text NOT NULL,
	`csrf` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `site_days` (
	`site_id` text NOT NULL,
	`day` text NOT NULL,
	`figures` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`site_id`, `day`)
) WITHOUT ROWID;
