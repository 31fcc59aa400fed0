-- Written by hand (drizzle-kit snapshots in meta/ stop at 0001; see README, Development).
-- Accounts at any size: each lead's account (its company trait, else a work email's domain) is kept in
-- a column its own writes set, a partial index groups leads by it, and the daily run stores the day's
-- roll-up as rows read a page at a time, best score first.
ALTER TABLE `visitors` ADD `account` text;
--> statement-breakpoint
-- Leads stored before the column existed: the same rule as scoring/accounts.ts accountOf, in SQL, over
-- either stored form of the state (the long-key form has `rules`; the compact one keeps the email in `e`
-- and the traits in `t`). lower() folds ASCII only; a lead's next write stores the engine's own answer.
UPDATE `visitors` SET `account` = CASE
	WHEN f.`company_type` = 'text' AND trim(f.`company`, ' ' || char(9, 10, 13)) != ''
		THEN lower(trim(f.`company`, ' ' || char(9, 10, 13)))
	WHEN instr(coalesce(f.`email`, ''), '@') > 0
		AND substr(f.`email`, instr(f.`email`, '@') + 1) NOT IN (
			'gmail.com', 'googlemail.com', 'yahoo.com', 'yahoo.es', 'ymail.com', 'hotmail.com', 'hotmail.es', 'outlook.com',
			'outlook.es', 'live.com', 'msn.com', 'icloud.com', 'me.com', 'mac.com', 'aol.com', 'proton.me', 'protonmail.com',
			'gmx.com', 'gmx.de', 'gmx.net', 'web.de', 'mail.com', 'yandex.com', 'yandex.ru', 'zoho.com', 'qq.com', '163.com', '')
		THEN substr(f.`email`, instr(f.`email`, '@') + 1)
	END
FROM (
	SELECT `site_id` AS `s`, `id` AS `i`,
		iif(json_type(`state`, '$.rules') IS NOT NULL, json_extract(`state`, '$.traits.company'), json_extract(`state`, '$.t.company')) AS `company`,
		iif(json_type(`state`, '$.rules') IS NOT NULL, json_type(`state`, '$.traits.company'), json_type(`state`, '$.t.company')) AS `company_type`,
		iif(json_type(`state`, '$.rules') IS NOT NULL, json_extract(`state`, '$.email'), json_extract(`state`, '$.e')) AS `email`
	FROM `visitors` WHERE `lead_id` IS NULL AND (`state` LIKE '%@%' OR `state` LIKE '%"company"%')
) AS f
WHERE `visitors`.`site_id` = f.`s` AND `visitors`.`id` = f.`i`;
--> statement-breakpoint
CREATE INDEX `visitors_by_account` ON `visitors` (`site_id`, `account`, `id`) WHERE `account` IS NOT NULL AND `lead_id` IS NULL;
--> statement-breakpoint
CREATE TABLE `account_rollups` (
	`site_id` text NOT NULL,
	`date` text NOT NULL,
	`created_at` integer NOT NULL,
	`accounts` integer NOT NULL,
	PRIMARY KEY(`site_id`, `date`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `account_rollup_rows` (
	`site_id` text NOT NULL,
	`date` text NOT NULL,
	`account` text NOT NULL,
	`score` real NOT NULL,
	`dimensions` text NOT NULL,
	`leads` integer NOT NULL,
	`prospects` integer NOT NULL,
	`top_leads` text NOT NULL,
	PRIMARY KEY(`site_id`, `date`, `account`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `account_rollup_rows_by_score` ON `account_rollup_rows` (`site_id`, `date`, `score` desc, `account`);
