ALTER TABLE `visitors` ADD `email` text;--> statement-breakpoint
CREATE INDEX `visitors_by_email` ON `visitors` (`site_id`,`email`) WHERE "visitors"."email" IS NOT NULL;