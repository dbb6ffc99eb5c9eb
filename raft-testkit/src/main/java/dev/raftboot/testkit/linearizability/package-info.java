/**
 * Recording concurrent client histories against a key-value store and checking them for
 * linearizability.
 *
 * <p>The pieces:
 * <ul>
 *   <li>{@link dev.raftboot.testkit.linearizability.History} records, from any number of client
 *       threads, when each operation was invoked and how and when it completed;</li>
 *   <li>{@link dev.raftboot.testkit.linearizability.Operation} and
 *       {@link dev.raftboot.testkit.linearizability.Result} describe what was asked and what came
 *       back ({@code ok}, {@code failed} or {@code unknown});</li>
 *   <li>{@link dev.raftboot.testkit.linearizability.KvModel} is the sequential specification of
 *       the store (a map from string keys to string values);</li>
 *   <li>{@link dev.raftboot.testkit.linearizability.LinearizabilityChecker} decides whether the
 *       recorded history could have been produced by some sequential execution of the model that
 *       respects real time, and returns a
 *       {@link dev.raftboot.testkit.linearizability.CheckResult} that explains a violation.</li>
 * </ul>
 *
 * <p>Typical use in a test:
 * <pre>{@code
 * History history = new History();
 * // in each client thread:
 * long id = history.invoke(clientId, Operation.put("k", "v1"));
 * try {
 *     client.put("k", "v1");
 *     history.complete(id, Result.ok());
 * } catch (TimeoutException e) {
 *     history.complete(id, Result.unknown());
 * }
 * // after all clients stopped:
 * LinearizabilityChecker.defaults().check(history).assertLinearizable();
 * }</pre>
 */
package dev.raftboot.testkit.linearizability;
