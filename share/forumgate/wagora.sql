-- forumgate's reconstruction of the W-Agora 4.x tables, for tests and the
-- demo. No authoritative DDL of W-Agora exists: the columns are those that
-- programs reading real W-Agora 4.x databases use, typed as a legacy MySQL
-- install would have them (MyISAM then, InnoDB here so that forumpost's
-- transactions mean something; latin1 throughout, as such sites were).
--
-- One site, "agora": its forum list, its users, their per-forum rights, its
-- attachments, one message table per forum (named by the site table's
-- bn_db), and the gateway's own tables (prefix agora_fg_), never new columns
-- in W-Agora's.
--
--   mariadb DB < wagora.sql

SET NAMES utf8mb4;

-- The site table: forums and categories.
CREATE TABLE agora (
  cle          INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  bn_name      VARCHAR(32)  NOT NULL,            -- the forum's short name
  bn_db        VARCHAR(64)  NOT NULL DEFAULT '', -- its message table
  bn_title     VARCHAR(255) NOT NULL DEFAULT '',
  `rank`       INT          NOT NULL DEFAULT 0,
  parent       INT UNSIGNED NOT NULL DEFAULT 0,  -- category
  descr        TEXT,
  owner        VARCHAR(32)  NOT NULL DEFAULT '',
  totalthreads INT UNSIGNED NOT NULL DEFAULT 0,
  totalnotes   INT UNSIGNED NOT NULL DEFAULT 0,
  unixdate     INT UNSIGNED NOT NULL DEFAULT 0,  -- last post
  category     TINYINT      NOT NULL DEFAULT 0,  -- 1: a category row, not a forum
  UNIQUE KEY bn_name (bn_name)
) ENGINE=InnoDB DEFAULT CHARSET=latin1;

CREATE TABLE agora_users (
  cle         INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  userid      VARCHAR(32)  NOT NULL,             -- login
  password    CHAR(32)     NOT NULL DEFAULT '',  -- md5 hex
  useraddress VARCHAR(128) NOT NULL DEFAULT '',  -- e-mail, unique per site
  username    VARCHAR(64)  NOT NULL DEFAULT '',
  firstname   VARCHAR(64)  NOT NULL DEFAULT '',
  name        VARCHAR(64)  NOT NULL DEFAULT '',
  homepage    VARCHAR(255) NOT NULL DEFAULT '',
  signature   TEXT,
  details     TEXT,
  unixdate    INT UNSIGNED NOT NULL DEFAULT 0,
  userpriv    ENUM('root','admin','moder','user') NOT NULL DEFAULT 'user',
  mailok      ENUM('Y','N') NOT NULL DEFAULT 'Y',
  lastlogin   INT UNSIGNED NOT NULL DEFAULT 0,
  totallogins INT UNSIGNED NOT NULL DEFAULT 0,
  UNIQUE KEY userid (userid),
  UNIQUE KEY useraddress (useraddress)
) ENGINE=InnoDB DEFAULT CHARSET=latin1;

CREATE TABLE agora_userforum (
  unixdate  INT UNSIGNED NOT NULL DEFAULT 0,
  userid    VARCHAR(32)  NOT NULL,
  bn_name   VARCHAR(32)  NOT NULL,
  listpriv  TINYINT      NOT NULL DEFAULT 1,
  readpriv  TINYINT      NOT NULL DEFAULT 1,
  writepriv TINYINT      NOT NULL DEFAULT 0,
  modpriv   TINYINT      NOT NULL DEFAULT 0,
  state     TINYINT      NOT NULL DEFAULT 0,
  lastpost  INT UNSIGNED NOT NULL DEFAULT 0,
  totalpost INT UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (userid, bn_name)
) ENGINE=InnoDB DEFAULT CHARSET=latin1;

CREATE TABLE agora_attachments (
  att_id   INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  att_name VARCHAR(255) NOT NULL,
  att_path VARCHAR(255) NOT NULL DEFAULT '',
  unixdate INT UNSIGNED NOT NULL DEFAULT 0,
  note_id  INT UNSIGNED NOT NULL DEFAULT 0,
  KEY note_id (note_id)
) ENGINE=InnoDB DEFAULT CHARSET=latin1;

-- One forum's messages; every forum has a table like this one, named by its
-- bn_db (tests and the demo make more with CREATE TABLE ... LIKE).
CREATE TABLE agora_linux (
  cle      INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  parent   INT UNSIGNED NOT NULL DEFAULT 0,   -- the cle replied to; 0 starts a thread
  thread   INT UNSIGNED NOT NULL DEFAULT 0,   -- the thread's first cle
  subject  VARCHAR(255) NOT NULL DEFAULT '',
  body     MEDIUMTEXT,                        -- HTML
  summary  VARCHAR(255) NOT NULL DEFAULT '',
  userid   VARCHAR(64)  NOT NULL DEFAULT '',  -- author's login, or a guest's name
  unixdate INT UNSIGNED NOT NULL DEFAULT 0,
  ip       VARCHAR(64)  NOT NULL DEFAULT '',
  hits     INT UNSIGNED NOT NULL DEFAULT 0,
  hidden   TINYINT      NOT NULL DEFAULT 0,
  closed   TINYINT      NOT NULL DEFAULT 0,
  KEY thread (thread),
  KEY parent (parent)
) ENGINE=InnoDB DEFAULT CHARSET=latin1;

INSERT INTO agora (bn_name, bn_db, bn_title, descr, category)
  VALUES ('linux', 'agora_linux', 'Linux', 'Linux questions', 0);

-- The gateway's own state.

-- Every Message-ID posted, per forum: what makes a redelivery a duplicate
-- (exactly once) and lets a reply find its parent. message_key is the
-- SHA-256 of the Message-ID, or of the message's content when it has none.
-- sender is its From address: forumnotify sends its author no copy.
CREATE TABLE agora_fg_messages (
  bn_name     VARCHAR(32)  NOT NULL,
  message_key CHAR(64)     NOT NULL,
  message_id  VARCHAR(998) CHARACTER SET ascii NOT NULL DEFAULT '',
  post_id     INT UNSIGNED NOT NULL,
  thread      INT UNSIGNED NOT NULL,
  unixdate    INT UNSIGNED NOT NULL DEFAULT 0,
  sender      VARCHAR(255) NOT NULL DEFAULT '',
  PRIMARY KEY (bn_name, message_key),
  KEY post (bn_name, post_id)
) ENGINE=InnoDB DEFAULT CHARSET=latin1;

-- Mail subscriptions to a forum, and the confirmations waiting for a reply.
-- A subscription disabled (by repeated hard bounces) keeps its row, with
-- when and why.
CREATE TABLE agora_fg_subscriptions (
  bn_name  VARCHAR(32)  NOT NULL,
  address  VARCHAR(255) NOT NULL,
  unixdate INT UNSIGNED NOT NULL DEFAULT 0,
  disabled INT UNSIGNED NOT NULL DEFAULT 0,   -- when; 0: active
  disabled_reason VARCHAR(255) NOT NULL DEFAULT '',
  PRIMARY KEY (bn_name, address)
) ENGINE=InnoDB DEFAULT CHARSET=latin1;

CREATE TABLE agora_fg_confirmations (
  token    CHAR(32)     NOT NULL PRIMARY KEY,
  bn_name  VARCHAR(32)  NOT NULL,
  address  VARCHAR(255) NOT NULL,
  action   ENUM('subscribe','unsubscribe') NOT NULL,
  expires  INT UNSIGNED NOT NULL,
  KEY address (bn_name, address)
) ENGINE=InnoDB DEFAULT CHARSET=latin1;

-- Rejection notices sent: at most one per address and reason a day.
CREATE TABLE agora_fg_notices (
  id      INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  address VARCHAR(255) NOT NULL,
  reason  VARCHAR(32)  CHARACTER SET ascii NOT NULL,
  day     INT UNSIGNED NOT NULL,  -- days since 1970-01-01, UTC
  UNIQUE KEY once_a_day (address, reason, day)
) ENGINE=InnoDB DEFAULT CHARSET=latin1;

-- Flood control: posts and messages left waiting, per sender and per
-- forum and minute (forumpost deletes what is older than an hour).
CREATE TABLE agora_fg_rates (
  scope  VARCHAR(6)   CHARACTER SET ascii NOT NULL,  -- sender or forum
  name   VARCHAR(255) NOT NULL,                      -- its address or name
  minute INT UNSIGNED NOT NULL,                      -- minutes since 1970-01-01
  posts  INT UNSIGNED NOT NULL DEFAULT 0,
  waits  INT UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (scope, name, minute),
  KEY minute (minute)
) ENGINE=InnoDB DEFAULT CHARSET=latin1;

-- Messages refused or ignored, and why (for the forum's administrator).
CREATE TABLE agora_fg_rejections (
  id         INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  unixdate   INT UNSIGNED NOT NULL DEFAULT 0,
  bn_name    VARCHAR(32)  NOT NULL DEFAULT '',
  sender     VARCHAR(255) NOT NULL DEFAULT '',
  message_id VARCHAR(998) CHARACTER SET ascii NOT NULL DEFAULT '',
  reason     VARCHAR(255) NOT NULL DEFAULT ''
) ENGINE=InnoDB DEFAULT CHARSET=latin1;

-- forumnotify's state: per forum, the newest post it has taken; the posts
-- taken and not yet sent to every subscriber (a hidden one waits there for
-- a moderator); and, for those, each subscriber the MTA accepted the post
-- for. A post's deliveries go when the post is done.
CREATE TABLE agora_fg_notify (
  bn_name   VARCHAR(32)  NOT NULL PRIMARY KEY,
  last_post INT UNSIGNED NOT NULL,
  unixdate  INT UNSIGNED NOT NULL DEFAULT 0
) ENGINE=InnoDB DEFAULT CHARSET=latin1;

-- The run that sends a forum: one at a time, on one server or a cluster.
-- expires is the server's UNIX_TIMESTAMP() after which another may take it.
CREATE TABLE agora_fg_leases (
  name    VARCHAR(64)  NOT NULL PRIMARY KEY,
  holder  VARCHAR(128) NOT NULL,
  expires INT UNSIGNED NOT NULL DEFAULT 0
) ENGINE=InnoDB DEFAULT CHARSET=latin1;

CREATE TABLE agora_fg_outbox (
  bn_name  VARCHAR(32)  NOT NULL,
  post_id  INT UNSIGNED NOT NULL,
  unixdate INT UNSIGNED NOT NULL DEFAULT 0,  -- when taken
  PRIMARY KEY (bn_name, post_id)
) ENGINE=InnoDB DEFAULT CHARSET=latin1;

CREATE TABLE agora_fg_deliveries (
  bn_name  VARCHAR(32)  NOT NULL,
  post_id  INT UNSIGNED NOT NULL,
  address  VARCHAR(255) NOT NULL,
  unixdate INT UNSIGNED NOT NULL DEFAULT 0,
  status   ENUM('sent','refused') NOT NULL DEFAULT 'sent',
  PRIMARY KEY (bn_name, post_id, address)
) ENGINE=InnoDB DEFAULT CHARSET=latin1;

-- Bounces read by forumpost, per subscriber: hard ones (5.x.x) count
-- towards disabling the subscription.
CREATE TABLE agora_fg_bounces (
  id       INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  bn_name  VARCHAR(32)  NOT NULL,
  address  VARCHAR(255) NOT NULL,
  unixdate INT UNSIGNED NOT NULL DEFAULT 0,
  status   VARCHAR(16)  NOT NULL DEFAULT '',  -- RFC 3463, e.g. 5.1.1
  hard     TINYINT      NOT NULL DEFAULT 0,
  KEY subscriber (bn_name, address, unixdate)
) ENGINE=InnoDB DEFAULT CHARSET=latin1;
