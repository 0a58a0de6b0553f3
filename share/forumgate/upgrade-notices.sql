-- For a database made with an older wagora.sql: the table of rejection
-- notices sent (forumpost checks that it exists). Site prefix agora_;
-- replace it for another site.
--   mariadb DB < upgrade-notices.sql
CREATE TABLE IF NOT EXISTS agora_fg_notices (
  id      INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  address VARCHAR(255) NOT NULL,
  reason  VARCHAR(32)  CHARACTER SET ascii NOT NULL,
  day     INT UNSIGNED NOT NULL,  -- days since 1970-01-01, UTC
  UNIQUE KEY once_a_day (address, reason, day)
) ENGINE=InnoDB DEFAULT CHARSET=latin1;
