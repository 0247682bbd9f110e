CREATE TABLE `active_turns` (
	`id` text PRIMARY KEY NOT NULL,
	`started_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `alerts` (
	`id` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`period` text NOT NULL,
	`percent` integer NOT NULL,
	`spent_micros` integer NOT NULL,
	`limit_micros` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `budget_overrides` (
	`id` integer PRIMARY KEY NOT NULL,
	`daily_micros` integer,
	`monthly_micros` integer,
	`updated_at` integer NOT NULL,
	`updated_by` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `calls` (
	`id` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`user` text NOT NULL,
	`session` text NOT NULL,
	`turn` text NOT NULL,
	`step` integer NOT NULL,
	`attempt` integer NOT NULL,
	`provider` text NOT NULL,
	`model` text NOT NULL,
	`variant` text,
	`status` text NOT NULL,
	`error_code` text,
	`input_tokens` integer NOT NULL,
	`output_tokens` integer NOT NULL,
	`cache_read_tokens` integer NOT NULL,
	`cache_write_5m_tokens` integer NOT NULL,
	`cache_write_1h_tokens` integer NOT NULL,
	`reasoning_tokens` integer NOT NULL,
	`usage_source` text NOT NULL,
	`cost_micros` integer,
	`saved_micros` integer NOT NULL,
	`price_version` text NOT NULL,
	`latency_ms` integer NOT NULL,
	`ttft_ms` integer,
	`tokens_per_second` real,
	`cache_hit` integer NOT NULL,
	`gateway_log_id` text,
	`day` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `calls_day` ON `calls` (`day`);--> statement-breakpoint
CREATE INDEX `calls_at` ON `calls` (`at`);--> statement-breakpoint
CREATE INDEX `calls_turn` ON `calls` (`turn`);--> statement-breakpoint
CREATE TABLE `feedback` (
	`turn` text PRIMARY KEY NOT NULL,
	`session` text NOT NULL,
	`variant` text,
	`rating` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `reservations` (
	`id` text PRIMARY KEY NOT NULL,
	`model` text NOT NULL,
	`micros` integer NOT NULL,
	`tokens` integer NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
