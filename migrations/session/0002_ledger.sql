CREATE TABLE `ledger` (
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
	`gateway_log_id` text
);
--> statement-breakpoint
CREATE INDEX `ledger_turn` ON `ledger` (`turn`);--> statement-breakpoint
ALTER TABLE `session_meta` ADD `variant` text;--> statement-breakpoint
ALTER TABLE `session_meta` ADD `cache_ttl` integer;