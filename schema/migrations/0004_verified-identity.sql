-- Written by hand (drizzle-kit snapshots in meta/ stop at 0001; see README, Development).
-- The per-site key that signs identified emails.
ALTER TABLE `sites` ADD `identity_secret` text;--> statement-breakpoint
-- Identifies stored before verification existed were taken as the site's word (leads were merged on them),
-- so they keep counting as verified: in the stored history, so that a rescore replays them the same way,
-- and in the states of the leads they named (the email column held exactly those). Only new identifies
-- from the page need a signature.
UPDATE `events` SET `props` = json_set(coalesce(`props`, '{}'), '$.__verified', json('true')) WHERE `type` = 'identify';--> statement-breakpoint
UPDATE `visitors` SET `state` = json_set(`state`, '$.emailVerified', json('true')) WHERE `email` IS NOT NULL;
