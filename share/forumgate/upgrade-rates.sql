-- For a database made with an older wagora.sql: the table of flood
-- control (forumpost checks that it exists). Site prefix agora_; replace
-- it for another site.
--   mariadb DB < upgrade-rates.sql
CREATE TABLE IF NOT EXISTS agora_fg_rates (
  scope  VARCHAR(6)   CHARACTER SET ascii NOT NULL,  -- sender or forum
  name   VARCHAR(255) NOT NULL,                      -- its address or name
  minute INT UNSIGNED NOT NULL,                      -- minutes since 1970-01-01
  posts  INT UNSIGNED NOT NULL DEFAULT 0,
  waits  INT UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (scope, name, minute),
  KEY minute (minute)
) ENGINE=InnoDB DEFAULT CHARSET=latin1;
