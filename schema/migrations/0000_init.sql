-- Keyed tables are WITHOUT ROWID: the primary key is the table itself, so an insert writes one row
-- instead of two (row + key index). D1 bills and budgets rows written; see README, Performance.
CREATE TABLE `sites` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`origins` text NOT NULL,
	`visit_timeout_min` integer DEFAULT 30 NOT NULL,
	`timezone` text DEFAULT 'UTC' NOT NULL,
	`list_hour` integer DEFAULT 7 NOT NULL,
	`rules_version` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `rule_sets` (
	`site_id` text NOT NULL,
	`version` integer NOT NULL,
	`rules` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`site_id`, `version`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `visitors` (
	`site_id` text NOT NULL,
	`id` text NOT NULL,
	`score` real DEFAULT 0 NOT NULL,
	`prospect_since` integer,
	`state` text NOT NULL,
	`version` integer NOT NULL,
	`first_seen` integer NOT NULL,
	`last_seen` integer NOT NULL,
	`source` text,
	PRIMARY KEY(`site_id`, `id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `visitors_by_score` ON `visitors` (`site_id`,`score`);--> statement-breakpoint
CREATE TABLE `events` (
	`site_id` text NOT NULL,
	`visitor_id` text NOT NULL,
	`id` text NOT NULL,
	`seq` integer NOT NULL,
	`ts` integer NOT NULL,
	`received_at` integer NOT NULL,
	`type` text NOT NULL,
	`path` text,
	`props` text,
	PRIMARY KEY(`site_id`, `visitor_id`, `id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `prospect_lists` (
	`site_id` text NOT NULL,
	`date` text NOT NULL,
	`rows` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`site_id`, `date`)
) WITHOUT ROWID;
