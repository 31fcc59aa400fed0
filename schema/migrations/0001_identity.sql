ALTER TABLE `visitors` ADD `email` text;--> statement-breakpoint
ALTER TABLE `visitors` ADD `lead_id` text;--> statement-breakpoint
ALTER TABLE `visitors` ADD `last_seq` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `visitors_by_email` ON `visitors` (`site_id`,`email`) WHERE "visitors"."email" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `visitors_by_lead` ON `visitors` (`site_id`,`lead_id`) WHERE "visitors"."lead_id" IS NOT NULL;