-- Run once by the mysql:8.4 image on an empty data directory (/docker-entrypoint-initdb.d).
-- The exporter's account: least privilege, and a cap on its connections so that a misbehaving
-- exporter can never take the server's connection slots. mysql-exporter keeps a pool of
-- --exporter.max_open_connections (2) plus one connection for KILL QUERY on a scrape deadline.
--
-- The demo's exporter connects over the unix socket ('localhost', which '%' matches); '%' also lets
-- tools on the Docker host use the account through the published port.
-- Demo credentials: the same password is in deploy/exporter/my.cnf. Change both outside a demo.
CREATE USER IF NOT EXISTS 'exporter'@'%'
  IDENTIFIED BY 'exporter-demo-password'
  WITH MAX_USER_CONNECTIONS 3;
GRANT PROCESS, REPLICATION CLIENT, SELECT ON *.* TO 'exporter'@'%';

-- A small schema so that the dashboard's table, row and InnoDB panels show something.
CREATE DATABASE IF NOT EXISTS demo;
CREATE TABLE IF NOT EXISTS demo.events (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  payload VARCHAR(255) NOT NULL
) ENGINE=InnoDB;
INSERT INTO demo.events (payload) VALUES ('stack started');
