package dev.raftboot.spring.lock;

/**
 * Work that runs on one node of the cluster at a time: a bean implementing this is started on the
 * raft leader once that node holds the leadership lease, and stopped before the lease could have
 * ended (see {@link LeaderWorkCoordinator}).
 *
 * <p>Both callbacks run on the coordinator's thread, one at a time and in pairs: {@link
 * #onGranted} then {@link #onRevoked} with the same {@link Leadership}. Start the work in {@code
 * onGranted} (on threads of your own) and return; make {@code onRevoked} stop it promptly. Work
 * that writes elsewhere should check {@link Leadership#isValid()} as it goes and fence its writes
 * with {@link Leadership#fencingToken()}: a paused thread can outlive the lease.
 */
public interface LeaderWork {

  /** This node now holds the leadership lease described by {@code leadership}. */
  void onGranted(Leadership leadership) throws Exception;

  /** The lease of {@code leadership} is ending (or this node stopped leading): stop the work. */
  void onRevoked(Leadership leadership);
}
