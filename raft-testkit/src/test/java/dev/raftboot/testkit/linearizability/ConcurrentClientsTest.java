package dev.raftboot.testkit.linearizability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** End to end: real threads, a real in-memory store, the recorder and the checker together. */
class ConcurrentClientsTest {

    /** The store under test. */
    interface Store {
        void put(String k, String v);

        String get(String k);

        boolean delete(String k);

        boolean cas(String k, String expected, String newValue) throws Exception;
    }

    /** Linearizable: every operation is one atomic ConcurrentHashMap call. */
    static final class AtomicStore implements Store {
        final ConcurrentHashMap<String, String> map = new ConcurrentHashMap<>();

        @Override
        public void put(String k, String v) {
            map.put(k, v);
        }

        @Override
        public String get(String k) {
            return map.get(k);
        }

        @Override
        public boolean delete(String k) {
            return map.remove(k) != null;
        }

        @Override
        public boolean cas(String k, String expected, String newValue) {
            return expected == null ? map.putIfAbsent(k, newValue) == null : map.replace(k, expected, newValue);
        }
    }

    /** Drives {@code store} from {@code clients} threads, recording everything. */
    private static History drive(Store store, int clients, int opsPerClient, int keys) throws Exception {
        History history = new History();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                futures.add(pool.submit(() -> {
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    for (int i = 0; i < opsPerClient; i++) {
                        String k = "k" + rnd.nextInt(keys);
                        String v = "v" + rnd.nextInt(4);
                        int roll = rnd.nextInt(10);
                        if (roll < 4) {
                            long id = history.invoke(client, Operation.get(k));
                            history.complete(id, Result.okValue(store.get(k)));
                        } else if (roll < 6) {
                            long id = history.invoke(client, Operation.put(k, v));
                            store.put(k, v);
                            history.complete(id, Result.ok());
                        } else if (roll < 9) {
                            String expected = rnd.nextInt(4) == 0 ? null : "v" + rnd.nextInt(4);
                            long id = history.invoke(client, Operation.cas(k, expected, v));
                            history.complete(id, Result.ok(store.cas(k, expected, v)));
                        } else {
                            long id = history.invoke(client, Operation.delete(k));
                            history.complete(id, Result.ok(store.delete(k)));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        return history;
    }

    @Test
    void anAtomicStoreDrivenByEightThreadsIsLinearizable() throws Exception {
        History history = drive(new AtomicStore(), 8, 500, 6);
        CheckResult result = LinearizabilityChecker.defaults().check(history);
        System.out.println("[concurrent] atomic store: " + result.describe().strip());
        result.assertLinearizable();
        Witnesses.assertValid(history.entries(), result);
    }

    @Test
    void aCompareAndSetWithACheckThenActRaceIsCaught() throws Exception {
        // A broken cas: read, then write, not atomically. The barrier makes two clients both read
        // "0" before either writes, so both report success.
        AtomicStore backing = new AtomicStore();
        backing.put("x", "0");
        CyclicBarrier bothRead = new CyclicBarrier(2);
        Store racy = new Store() {
            @Override
            public void put(String k, String v) {
                backing.put(k, v);
            }

            @Override
            public String get(String k) {
                return backing.get(k);
            }

            @Override
            public boolean delete(String k) {
                return backing.delete(k);
            }

            @Override
            public boolean cas(String k, String expected, String newValue) throws Exception {
                boolean matches = Objects.equals(backing.get(k), expected);
                bothRead.await(10, TimeUnit.SECONDS);
                if (matches) {
                    backing.put(k, newValue);
                }
                return matches;
            }
        };
        History history = new History();
        history.complete(history.invoke(0, Operation.put("x", "0")), Result.ok());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 1; c <= 2; c++) {
                int client = c;
                futures.add(pool.submit(() -> {
                    long id = history.invoke(client, Operation.cas("x", "0", "from-" + client));
                    history.complete(id, Result.ok(racy.cas("x", "0", "from-" + client)));
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        CheckResult result = LinearizabilityChecker.defaults().check(history);

        assertThat(result.verdict()).as(result::describe).isEqualTo(CheckResult.Verdict.NOT_LINEARIZABLE);
        assertThat(result.describe()).contains("swapped from \"0\" but the value was \"from-");
    }
}
