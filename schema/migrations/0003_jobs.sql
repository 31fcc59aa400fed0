-- Written by hand (drizzle-kit snapshots in meta/ stop at 0001; see README, Development).
-- Background jobs and their cursors, the webhook dead-letter record,
-- stored prospect lists as rows instead of one blob, and the time index the retention purge walks.
CREATE TABLE `jobs` (
	`site_id` text NOT NULL,
	`id` text NOT NULL,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`rules_version` integer,
	`cursor` text,
	`processed` integer DEFAULT 0 NOT NULL,
	`total` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`finished_at` integer,
	`error` text,
	PRIMARY KEY(`site_id`, `id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `jobs_by_site` ON `jobs` (`site_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `jobs_by_status` ON `jobs` (`status`,`updated_at`);--> statement-breakpoint
CREATE TABLE `webhook_failures` (
	`site_id` text NOT NULL,
	`id` text NOT NULL,
	`visitor_id` text NOT NULL,
	`notice` text NOT NULL,
	`attempts` integer NOT NULL,
	`last_error` text NOT NULL,
	`failed_at` integer NOT NULL,
	PRIMARY KEY(`site_id`, `id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `prospect_list_rows` (
	`site_id` text NOT NULL,
	`date` text NOT NULL,
	`visitor_id` text NOT NULL,
	`score` real NOT NULL,
	`since` integer NOT NULL,
	`email` text,
	`email_verified` integer DEFAULT false NOT NULL,
	`class` text,
	`grade` text,
	`is_new` integer NOT NULL,
	`reasons` text NOT NULL,
	PRIMARY KEY(`site_id`, `date`, `visitor_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `prospect_list_rows_by_rank` ON `prospect_list_rows` (`site_id`,`date`,`score` desc,`since`,`visitor_id`);--> statement-breakpoint
ALTER TABLE `prospect_lists` ADD `paged` integer DEFAULT false NOT NULL;--> statement-breakpoint
-- The retention purge finds the visitors whose oldest kept event may have expired by this index, instead
-- of scanning the site's events. It is on visitor rows, not events: an entry is written when a visitor is
-- first seen and when the purge moves its mark, never per event (an index on events' time would cost every
-- page view a row written and about 120 bytes).
ALTER TABLE `visitors` ADD `retained_from` integer;--> statement-breakpoint
CREATE INDEX `visitors_by_retention` ON `visitors` (`site_id`, coalesce(`retained_from`, `first_seen`));
