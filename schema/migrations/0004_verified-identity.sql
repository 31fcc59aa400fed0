-- Written by hand (parallel schema changes, see TEAM notes). The per-site key that signs identified emails.
ALTER TABLE `sites` ADD `identity_secret` text;--> statement-breakpoint
-- Identify events stored before verification existed: those that came through the token-authenticated API
-- (they have no page path; every beacon event has one) were verified by their token, so a rescore must
-- keep treating them so. Browser identifies stay unverified claims.
UPDATE `events` SET `props` = json_set(coalesce(`props`, '{}'), '$.__verified', json('true')) WHERE `type` = 'identify' AND `path` IS NULL;
