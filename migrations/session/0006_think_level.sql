ALTER TABLE `session_meta` ADD `think_level` text;--> statement-breakpoint
-- The level a session's newest valid `/think` message set (it used to be read from the messages each turn).
UPDATE `session_meta` SET `think_level` = (
  SELECT trim(substr(trim(json_extract(`data`, '$.text')), 7), ' ' || char(9) || char(10) || char(13)) AS `level`
  FROM `events`
  WHERE `type` = 'user_message'
    AND trim(json_extract(`data`, '$.text')) LIKE '/think_%'
    AND substr(trim(json_extract(`data`, '$.text')), 7, 1) IN (' ', char(9), char(10), char(13))
    AND `level` IN ('off', 'low', 'high')
  ORDER BY `seq` DESC
  LIMIT 1
);
