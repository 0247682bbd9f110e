CREATE TABLE `events` (
	`seq` integer PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`data` text NOT NULL,
	`client_id` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `events_client_id_unique` ON `events` (`client_id`);--> statement-breakpoint
CREATE INDEX `events_type_seq` ON `events` (`type`,`seq`);--> statement-breakpoint
CREATE TABLE `session_meta` (
	`id` integer PRIMARY KEY NOT NULL,
	`session_id` text NOT NULL,
	`owner` text NOT NULL,
	`title` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
