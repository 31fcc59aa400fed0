-- Written by hand (drizzle-kit snapshots in meta/ stop at 0001; see README, Development).
-- Where each event came from (the website's beacon or the API), the
-- latest outcome of each lead (with a partial index so insights read leads with an outcome only),
-- the predictive model fitted per site, and each stored prospect line's stage and probability.
ALTER TABLE `events` ADD `via` text DEFAULT 'web' NOT NULL;--> statement-breakpoint
ALTER TABLE `visitors` ADD `outcome` text;--> statement-breakpoint
ALTER TABLE `visitors` ADD `outcome_at` integer;--> statement-breakpoint
CREATE INDEX `visitors_by_outcome` ON `visitors` (`site_id`,`outcome_at`,`id`) WHERE "visitors"."outcome" IS NOT NULL;--> statement-breakpoint
CREATE TABLE `lead_models` (
	`site_id` text PRIMARY KEY NOT NULL,
	`trained_at` integer NOT NULL,
	`rules_version` integer NOT NULL,
	`model` text NOT NULL
) WITHOUT ROWID;
--> statement-breakpoint
ALTER TABLE `prospect_list_rows` ADD `stage` text;--> statement-breakpoint
ALTER TABLE `prospect_list_rows` ADD `probability` real;
