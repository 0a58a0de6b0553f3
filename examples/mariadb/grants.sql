-- The MariaDB (or MySQL) account forumpost and forumnotify connect as: the least it needs
-- on a W-Agora site named "agora" in the database "forum". Run as the
-- database's administrator:
--
--   mariadb forum < grants.sql
--
-- then put the password in forumgate.my.cnf (this directory). Every forum
-- has its own message table (the site table's bn_db): grant it as
-- agora_linux is granted below when a forum is added. Neither program creates
-- a table or alters one.
CREATE USER IF NOT EXISTS 'forumgate'@'localhost' IDENTIFIED BY 'change-me';

-- The site table: find a forum, count its threads and notes.
GRANT SELECT, UPDATE ON agora TO 'forumgate'@'localhost';
-- Users and their rights: read; the per-forum post counters: update.
GRANT SELECT ON agora_users TO 'forumgate'@'localhost';
GRANT SELECT, UPDATE ON agora_userforum TO 'forumgate'@'localhost';
GRANT INSERT, SELECT ON agora_attachments TO 'forumgate'@'localhost';
-- One message table per forum: posts and their thread numbers.
GRANT SELECT, INSERT, UPDATE ON agora_linux TO 'forumgate'@'localhost';
-- The gateway's own tables.
GRANT SELECT, INSERT ON agora_fg_messages TO 'forumgate'@'localhost';
GRANT SELECT, INSERT, UPDATE, DELETE ON agora_fg_subscriptions TO 'forumgate'@'localhost';
GRANT SELECT, INSERT, UPDATE, DELETE ON agora_fg_confirmations TO 'forumgate'@'localhost';
GRANT INSERT, SELECT ON agora_fg_rejections TO 'forumgate'@'localhost';
GRANT INSERT, SELECT ON agora_fg_notices TO 'forumgate'@'localhost';
GRANT SELECT, INSERT, UPDATE, DELETE ON agora_fg_rates TO 'forumgate'@'localhost';
-- forumnotify's state, and the bounces forumpost counts.
GRANT SELECT, INSERT, UPDATE ON agora_fg_notify TO 'forumgate'@'localhost';
GRANT SELECT, INSERT, UPDATE ON agora_fg_leases TO 'forumgate'@'localhost';
GRANT SELECT, INSERT, DELETE ON agora_fg_outbox TO 'forumgate'@'localhost';
GRANT SELECT, INSERT, DELETE ON agora_fg_deliveries TO 'forumgate'@'localhost';
GRANT SELECT, INSERT ON agora_fg_bounces TO 'forumgate'@'localhost';
