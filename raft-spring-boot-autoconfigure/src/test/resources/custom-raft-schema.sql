-- A schema script of the application's own: the raft tables plus a marker the test looks for.
CREATE TABLE IF NOT EXISTS raft_cluster_log (cluster_id VARCHAR(255) NOT NULL, node_id BIGINT NOT NULL, idx BIGINT NOT NULL, term BIGINT NOT NULL, type SMALLINT, data VARBINARY, PRIMARY KEY (cluster_id, node_id, idx));
CREATE TABLE IF NOT EXISTS raft_cluster_hard_state (cluster_id VARCHAR(255) NOT NULL, node_id BIGINT NOT NULL, term BIGINT NOT NULL, vote BIGINT NOT NULL, commit_idx BIGINT NOT NULL, PRIMARY KEY (cluster_id, node_id));
CREATE TABLE IF NOT EXISTS raft_cluster_snapshot (cluster_id VARCHAR(255) NOT NULL, node_id BIGINT NOT NULL, idx BIGINT NOT NULL, term BIGINT NOT NULL, conf_state VARBINARY, data BLOB, PRIMARY KEY (cluster_id, node_id));
CREATE TABLE IF NOT EXISTS custom_schema_marker (id INT);
