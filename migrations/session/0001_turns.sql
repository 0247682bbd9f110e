CREATE TABLE `turns` (
	`id` text PRIMARY KEY NOT NULL,
	`status` text NOT NULL,
	`reason` text,
	`model` text,
	`created_at` integer NOT NULL,
	`started_at` integer,
	`ended_at` integer
);
--> statement-breakpoint
CREATE INDEX `turns_status` ON `turns` (`status`,`created_at`);--> statement-breakpoint
ALTER TABLE `session_meta` ADD `model` text;--> statement-breakpoint
ALTER TABLE `session_meta` ADD `queue_mode` text DEFAULT 'queue' NOT NULL;