-- A schema script of the application's own: the raft tables plus a marker the test looks for.
CREATE TABLE IF NOT EXISTS raft_log (node_id BIGINT NOT NULL, idx BIGINT NOT NULL, term BIGINT NOT NULL, type SMALLINT, data VARBINARY, PRIMARY KEY (node_id, idx));
CREATE TABLE IF NOT EXISTS raft_hard_state (node_id BIGINT NOT NULL PRIMARY KEY, term BIGINT NOT NULL, vote BIGINT NOT NULL, commit_idx BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS raft_snapshot (node_id BIGINT NOT NULL PRIMARY KEY, idx BIGINT NOT NULL, term BIGINT NOT NULL, conf_state VARBINARY, data BLOB);
CREATE TABLE IF NOT EXISTS custom_schema_marker (id INT);
