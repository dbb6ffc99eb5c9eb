package dev.raftboot.spring.autoconfigure;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/** When snapshots are taken and how much log is kept behind them ({@code raft.snapshot.*}). */
@ConfigurationProperties("raft.snapshot")
public class RaftSnapshotProperties implements Validator {

  /**
   * Number of entries applied since the last snapshot after which the node snapshots the
   * application state and compacts its log.
   */
  private long entries = 10_000;

  /**
   * Number of entries kept in the log below a new snapshot, so that followers that lag a little
   * catch up from the log instead of receiving the whole snapshot.
   */
  private long keepEntries = 5_000;

  public long getEntries() {
    return entries;
  }

  public void setEntries(long entries) {
    this.entries = entries;
  }

  public long getKeepEntries() {
    return keepEntries;
  }

  public void setKeepEntries(long keepEntries) {
    this.keepEntries = keepEntries;
  }

  @Override
  public boolean supports(Class<?> type) {
    return RaftSnapshotProperties.class.isAssignableFrom(type);
  }

  @Override
  public void validate(Object target, Errors errors) {
    RaftPropertiesValidator.validate((RaftSnapshotProperties) target, errors);
  }
}
