CREATE TABLE `skills` (
	`name` text PRIMARY KEY NOT NULL,
	`description` text NOT NULL,
	`body` text NOT NULL,
	`updated_at` integer NOT NULL
);
