CREATE TABLE `mcp_servers` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`url` text NOT NULL,
	`transport` text NOT NULL,
	`secrets` text NOT NULL,
	`approval` text NOT NULL,
	`status` text NOT NULL,
	`status_detail` text DEFAULT '' NOT NULL,
	`tools` text DEFAULT '[]' NOT NULL,
	`oauth_state` text,
	`oauth_state_expires` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
