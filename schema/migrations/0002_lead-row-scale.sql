-- Written by hand (drizzle-kit snapshots in meta/ stop at 0001; see README, Development).
-- rules_version: the rule-set version the lead's stored state was scored under; a write to a lead below the
-- site's version replays the lead's events first, so a background rescore and live beacons never conflict.
-- next_change_at: the earliest time (ms) the lead's status can move without an event (decay, expiry,
-- absence); the partial index lets the cron and the prospect list read only the leads whose time has come.
ALTER TABLE `visitors` ADD `rules_version` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `visitors` ADD `next_change_at` integer;--> statement-breakpoint
CREATE INDEX `visitors_by_next_change` ON `visitors` (`site_id`,`next_change_at`) WHERE "visitors"."next_change_at" IS NOT NULL AND "visitors"."lead_id" IS NULL;--> statement-breakpoint
-- The leaderboard walks (score DESC, id DESC) pages with a row-value cursor straight off this index, also
-- inside a group of equal scores; merged-away rows are not in it.
DROP INDEX `visitors_by_score`;--> statement-breakpoint
CREATE INDEX `visitors_by_score` ON `visitors` (`site_id`,`score`,`id`) WHERE "visitors"."lead_id" IS NULL;
--> statement-breakpoint
-- Rows written before this migration were scored under their site's version in force (rules changes
-- rescored every lead at once). Their next change is unknown: 0 makes every lead due once, so the first
-- sweep computes it.
UPDATE `visitors` SET `rules_version` = (SELECT `rules_version` FROM `sites` WHERE `sites`.`id` = `visitors`.`site_id`), `next_change_at` = CASE WHEN `lead_id` IS NULL THEN 0 END;
--> statement-breakpoint
-- Narrower events: the receipt time is the millisecond part of seq, and the edge's country is a two-letter
-- column instead of a key repeated in every event's props JSON.
ALTER TABLE `events` DROP COLUMN `received_at`;--> statement-breakpoint
ALTER TABLE `events` ADD `country` text;--> statement-breakpoint
UPDATE `events` SET `country` = json_extract(`props`, '$.__country'), `props` = nullif(json_remove(`props`, '$.__country'), '{}') WHERE `props` IS NOT NULL AND json_extract(`props`, '$.__country') IS NOT NULL;
