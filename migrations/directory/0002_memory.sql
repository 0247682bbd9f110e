CREATE TABLE `memory` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`text` text NOT NULL,
	`day` text,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `memory_kind` ON `memory` (`kind`,`updated_at`);