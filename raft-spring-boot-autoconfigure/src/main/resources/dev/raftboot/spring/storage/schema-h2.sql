-- Tables of raftboot's JdbcStorage for H2. Every table is keyed by node_id, so several nodes can
-- share one database. The script only creates what is missing and can run at every start.

-- The raft log. Besides the entries it keeps one row at the compaction point (the entry just
-- below the first readable index) whose term raft still needs for matching; that row has NULL
-- type and data. A NULL type or data column means the field was absent from the entry.
CREATE TABLE IF NOT EXISTS raft_log (
  node_id BIGINT NOT NULL,
  idx BIGINT NOT NULL,
  term BIGINT NOT NULL,
  type SMALLINT,
  data VARBINARY,
  PRIMARY KEY (node_id, idx)
);

-- The hard state (term, vote, commit) of each node.
CREATE TABLE IF NOT EXISTS raft_hard_state (
  node_id BIGINT NOT NULL PRIMARY KEY,
  term BIGINT NOT NULL,
  vote BIGINT NOT NULL,
  commit_idx BIGINT NOT NULL
);

-- The latest snapshot of each node: its metadata, the serialized ConfState and the application's
-- data.
CREATE TABLE IF NOT EXISTS raft_snapshot (
  node_id BIGINT NOT NULL PRIMARY KEY,
  idx BIGINT NOT NULL,
  term BIGINT NOT NULL,
  conf_state VARBINARY,
  data BLOB
);
