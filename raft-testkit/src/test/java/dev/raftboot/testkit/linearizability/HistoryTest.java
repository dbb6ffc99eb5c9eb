package dev.raftboot.testkit.linearizability;

import static dev.raftboot.testkit.linearizability.Operation.cas;
import static dev.raftboot.testkit.linearizability.Operation.delete;
import static dev.raftboot.testkit.linearizability.Operation.get;
import static dev.raftboot.testkit.linearizability.Operation.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HistoryTest {

    @Test
    void recordsInvocationAndCompletionTimesFromOneCounter() {
        History h = new History();
        long a = h.invoke(1, put("x", "a"));
        long b = h.invoke(2, get("x"));
        h.complete(a, Result.ok());
        h.complete(b, Result.okValue("a"));

        List<HistoryEntry> entries = h.entries();
        assertThat(entries).hasSize(2);
        HistoryEntry ea = entries.get(0);
        HistoryEntry eb = entries.get(1);
        assertThat(ea.id()).isEqualTo(a);
        assertThat(ea.clientId()).isEqualTo(1);
        assertThat(ea.invokeTime()).isLessThan(eb.invokeTime());
        assertThat(eb.invokeTime()).isLessThan(ea.responseTime());
        assertThat(ea.responseTime()).isLessThan(eb.responseTime());
        assertThat(eb.result()).isEqualTo(Result.okValue("a"));
    }

    @Test
    void inFlightOperationsAppearAsUnknown() {
        History h = new History();
        h.invoke(1, put("x", "a"));
        HistoryEntry e = h.entries().get(0);
        assertThat(e.result().isUnknown()).isTrue();
        assertThat(e.responseTime()).isEqualTo(Long.MAX_VALUE);
        assertThat(e.toString()).contains("-> unknown").contains("never");
    }

    @Test
    void aClientHasAtMostOneOperationInFlight() {
        History h = new History();
        h.invoke(1, put("x", "a"));
        assertThatThrownBy(() -> h.invoke(1, get("x")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("client 1").hasMessageContaining("still in flight");
        h.invoke(2, get("x")); // other clients are unaffected
    }

    @Test
    void aClientMayContinueAfterAnUnknownOutcome() {
        History h = new History();
        long id = h.invoke(1, put("x", "a"));
        h.complete(id, Result.unknown());
        h.invoke(1, get("x"));
        assertThat(h.size()).isEqualTo(2);
    }

    @Test
    void completingTwiceIsAnError() {
        History h = new History();
        long id = h.invoke(1, put("x", "a"));
        h.complete(id, Result.ok());
        assertThatThrownBy(() -> h.complete(id, Result.ok()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already completed");
    }

    @Test
    void completingAnUnknownIdIsAnError() {
        History h = new History();
        assertThatThrownBy(() -> h.complete(7, Result.ok())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void resultsMustFitTheOperation() {
        History h = new History();
        long p = h.invoke(1, put("x", "a"));
        assertThatThrownBy(() -> h.complete(p, Result.ok(true)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected Result.ok()");
        long g = h.invoke(2, get("x"));
        assertThatThrownBy(() -> h.complete(g, Result.ok()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("okValue");
        long c = h.invoke(3, cas("x", "a", "b"));
        assertThatThrownBy(() -> h.complete(c, Result.okValue("b")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ok(swapped)");
        long d = h.invoke(4, delete("x"));
        h.complete(d, Result.ok(false));
        // the rejected completions left the operations in flight; they can still complete properly
        h.complete(p, Result.failed());
        h.complete(g, Result.unknown());
        h.complete(c, Result.ok(true));
    }

    @Test
    void entriesRejectResponsesBeforeInvocations() {
        assertThatThrownBy(() -> new HistoryEntry(0, 1, get("x"), Result.okAbsent(), 5, 4))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void concurrentClientsGetDistinctIdsAndTimes() throws Exception {
        History h = new History();
        int clients = 8;
        int perClient = 2_000;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<?>> done = new java.util.ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                done.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < perClient; i++) {
                        long id = h.invoke(client, put("k" + client, "v" + i));
                        h.complete(id, Result.ok());
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        List<HistoryEntry> entries = h.entries();
        assertThat(entries).hasSize(clients * perClient);
        Set<Long> times = new HashSet<>();
        for (HistoryEntry e : entries) {
            assertThat(times.add(e.invokeTime())).isTrue();
            assertThat(times.add(e.responseTime())).isTrue();
            assertThat(e.invokeTime()).isLessThan(e.responseTime());
        }
        assertThat(LinearizabilityChecker.defaults().check(h).isLinearizable()).isTrue();
    }
}
