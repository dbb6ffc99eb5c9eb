-- Tables of raftboot's JdbcStorage for H2. Every table is keyed by
-- (cluster_id, node_id): several nodes, and several clusters, can share one database, and a node
-- never reads a log written under another raft.cluster-id. The script only creates what is missing
-- and can run at every start.
--
-- raftboot 0.1 kept the log in raft_log, raft_hard_state and raft_snapshot, keyed by node_id
-- alone. Those tables are not created any more; a node that finds its id there refuses to start
-- until raft.storage.jdbc.legacy-log-cluster-id says which cluster that log belongs to.

-- The raft log. An entry row (last_idx NULL) holds the entry idx; a NULL type or data column means
-- the field was absent from the entry. A run row holds the entries idx..last_idx (at most 1024),
-- written by one save: term is the first one's, type is NULL and data frames the entries (see
-- JdbcStorage). Besides the entries the log keeps one entry row at the compaction point (the entry
-- just below the first readable index) whose term raft still needs for matching; that row has
-- NULL type and data. checksum is the CRC32C of the row's values, verified at every read; entry
-- rows of tables created before the column existed have NULL there and are read unverified.
-- JdbcStorage adds the checksum and last_idx columns to tables created without them at start.
CREATE TABLE IF NOT EXISTS raft_cluster_log (
  cluster_id VARCHAR(255) NOT NULL,
  node_id BIGINT NOT NULL,
  idx BIGINT NOT NULL,
  term BIGINT NOT NULL,
  type SMALLINT,
  data VARBINARY,
  checksum INTEGER,
  last_idx BIGINT,
  PRIMARY KEY (cluster_id, node_id, idx)
);

-- The hard state (term, vote, commit) of each node.
CREATE TABLE IF NOT EXISTS raft_cluster_hard_state (
  cluster_id VARCHAR(255) NOT NULL,
  node_id BIGINT NOT NULL,
  term BIGINT NOT NULL,
  vote BIGINT NOT NULL,
  commit_idx BIGINT NOT NULL,
  PRIMARY KEY (cluster_id, node_id)
);

-- The latest snapshot of each node: its metadata, the serialized ConfState and the application's
-- data.
CREATE TABLE IF NOT EXISTS raft_cluster_snapshot (
  cluster_id VARCHAR(255) NOT NULL,
  node_id BIGINT NOT NULL,
  idx BIGINT NOT NULL,
  term BIGINT NOT NULL,
  conf_state VARBINARY,
  data BLOB,
  checksum INTEGER,
  PRIMARY KEY (cluster_id, node_id)
);
