CREATE TABLE `chat_state` (
	`id` integer PRIMARY KEY NOT NULL,
	`user` text NOT NULL,
	`chat_id` integer NOT NULL,
	`session_id` text
);
--> statement-breakpoint
CREATE TABLE `deliveries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`state` text NOT NULL,
	`not_before` integer NOT NULL,
	`failures` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `inbox` (
	`update_id` integer PRIMARY KEY NOT NULL,
	`update` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `links` (
	`telegram_user_id` integer PRIMARY KEY NOT NULL,
	`user` text NOT NULL,
	`username` text,
	`linked_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `links_user` ON `links` (`user`);--> statement-breakpoint
CREATE TABLE `offers` (
	`tool_call_id` text PRIMARY KEY NOT NULL,
	`session_id` text NOT NULL,
	`message_id` integer NOT NULL,
	`label` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `pair_attempts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`telegram_user_id` integer NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `pair_attempts_user` ON `pair_attempts` (`telegram_user_id`,`at`);--> statement-breakpoint
CREATE TABLE `pairing_codes` (
	`code` text PRIMARY KEY NOT NULL,
	`user` text NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer
);
--> statement-breakpoint
CREATE INDEX `pairing_codes_expires` ON `pairing_codes` (`expires_at`);--> statement-breakpoint
CREATE TABLE `seen_updates` (
	`update_id` integer PRIMARY KEY NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `seen_updates_at` ON `seen_updates` (`at`);