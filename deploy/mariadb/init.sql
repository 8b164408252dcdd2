-- Run once by the mariadb:11 image on an empty data directory (/docker-entrypoint-initdb.d).
-- The exporter's account: least privilege, and a cap on its connections so that a misbehaving
-- exporter can never take the server's connection slots. mysql-exporter keeps a pool of
-- --exporter.max_open_connections (2) plus one connection for KILL QUERY on a scrape deadline.
--
-- MariaDB >= 10.5 split REPLICATION CLIENT: SHOW ALL SLAVES STATUS (the slave_status collector)
-- needs SLAVE MONITOR, and REPLICATION CLIENT is now an alias of BINLOG MONITOR.
--
-- Demo credentials: the same password is in deploy/exporter/my.cnf. Change both outside a demo.
CREATE USER IF NOT EXISTS 'exporter'@'%'
  IDENTIFIED BY 'exporter-demo-password'
  WITH MAX_USER_CONNECTIONS 3;
GRANT PROCESS, REPLICATION CLIENT, SLAVE MONITOR, SELECT ON *.* TO 'exporter'@'%';

CREATE DATABASE IF NOT EXISTS demo;
CREATE TABLE IF NOT EXISTS demo.events (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  payload VARCHAR(255) NOT NULL
) ENGINE=InnoDB;
INSERT INTO demo.events (payload) VALUES ('stack started');
