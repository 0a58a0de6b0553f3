-- For a database made with an earlier wagora.sql: the columns and tables
-- that forumnotify and forumpost's bounce handling use. Safe to run twice.
--
--   mariadb forum < upgrade-notify.sql
-- The From address of a post made by mail: forumnotify sends no copy to
-- its author, a guest included.
ALTER TABLE agora_fg_messages
  ADD COLUMN IF NOT EXISTS sender VARCHAR(255) NOT NULL DEFAULT '';

ALTER TABLE agora_fg_subscriptions
  ADD COLUMN IF NOT EXISTS disabled INT UNSIGNED NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS disabled_reason VARCHAR(255) NOT NULL DEFAULT '';

CREATE TABLE IF NOT EXISTS agora_fg_notify (
  bn_name   VARCHAR(32)  NOT NULL PRIMARY KEY,
  last_post INT UNSIGNED NOT NULL,
  unixdate  INT UNSIGNED NOT NULL DEFAULT 0
) ENGINE=InnoDB DEFAULT CHARSET=latin1;

CREATE TABLE IF NOT EXISTS agora_fg_leases (
  name    VARCHAR(64)  NOT NULL PRIMARY KEY,
  holder  VARCHAR(128) NOT NULL,
  expires INT UNSIGNED NOT NULL DEFAULT 0
) ENGINE=InnoDB DEFAULT CHARSET=latin1;

CREATE TABLE IF NOT EXISTS agora_fg_outbox (
  bn_name  VARCHAR(32)  NOT NULL,
  post_id  INT UNSIGNED NOT NULL,
  unixdate INT UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (bn_name, post_id)
) ENGINE=InnoDB DEFAULT CHARSET=latin1;

CREATE TABLE IF NOT EXISTS agora_fg_deliveries (
  bn_name  VARCHAR(32)  NOT NULL,
  post_id  INT UNSIGNED NOT NULL,
  address  VARCHAR(255) NOT NULL,
  unixdate INT UNSIGNED NOT NULL DEFAULT 0,
  status   ENUM('sent','refused') NOT NULL DEFAULT 'sent',
  PRIMARY KEY (bn_name, post_id, address)
) ENGINE=InnoDB DEFAULT CHARSET=latin1;

CREATE TABLE IF NOT EXISTS agora_fg_bounces (
  id       INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  bn_name  VARCHAR(32)  NOT NULL,
  address  VARCHAR(255) NOT NULL,
  unixdate INT UNSIGNED NOT NULL DEFAULT 0,
  status   VARCHAR(16)  NOT NULL DEFAULT '',
  hard     TINYINT      NOT NULL DEFAULT 0,
  KEY subscriber (bn_name, address, unixdate)
) ENGINE=InnoDB DEFAULT CHARSET=latin1;
