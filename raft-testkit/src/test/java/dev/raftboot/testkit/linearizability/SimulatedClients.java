package dev.raftboot.testkit.linearizability;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Produces histories that are linearizable by construction: simulated clients invoke operations,
 * each operation takes effect on a real sequential {@link KvModel} at one instant between its
 * invocation and its completion (its linearization point), and the results are the model's. The
 * scheduler interleaves the clients' steps at random, which produces random real-time overlaps.
 *
 * <p>With faults enabled, some operations fail (never applied, completed {@code failed}) and some
 * end {@code unknown}: applied before the client gave up, applied at some random moment after it
 * gave up, or never applied at all.
 */
final class SimulatedClients {

    record Config(int clients, int keys, int values, int operations, double failedRate, double unknownRate) {

        static Config of(int clients, int keys, int values, int operations) {
            return new Config(clients, keys, values, operations, 0, 0);
        }

        Config withFaults(double failed, double unknown) {
            return new Config(clients, keys, values, operations, failed, unknown);
        }
    }

    private enum Phase { IDLE, INVOKED, APPLIED }

    private SimulatedClients() {
    }

    static History run(Random rnd, Config c) {
        History history = new History();
        KvModel store = new KvModel();
        Phase[] phase = new Phase[c.clients()];
        Operation[] op = new Operation[c.clients()];
        long[] id = new long[c.clients()];
        Result[] result = new Result[c.clients()];
        java.util.Arrays.fill(phase, Phase.IDLE);
        List<Operation> lateEffects = new ArrayList<>();
        int invoked = 0;
        int busy = 0;
        while (invoked < c.operations() || busy > 0) {
            if (!lateEffects.isEmpty() && rnd.nextInt(8) == 0) {
                store.execute(lateEffects.remove(rnd.nextInt(lateEffects.size())));
                continue;
            }
            int k = rnd.nextInt(c.clients());
            switch (phase[k]) {
                case IDLE -> {
                    if (invoked < c.operations()) {
                        op[k] = randomOperation(rnd, c);
                        id[k] = history.invoke(k, op[k]);
                        phase[k] = Phase.INVOKED;
                        invoked++;
                        busy++;
                    }
                }
                case INVOKED -> {
                    double roll = rnd.nextDouble();
                    if (roll < c.failedRate()) {
                        history.complete(id[k], Result.failed());
                        phase[k] = Phase.IDLE;
                        busy--;
                    } else if (roll < c.failedRate() + c.unknownRate()) {
                        history.complete(id[k], Result.unknown());
                        switch (rnd.nextInt(3)) {
                            case 0 -> store.execute(op[k]); // took effect just as the client gave up
                            case 1 -> lateEffects.add(op[k]); // takes effect later
                            default -> { } // never takes effect
                        }
                        phase[k] = Phase.IDLE;
                        busy--;
                    } else {
                        result[k] = store.execute(op[k]); // the linearization point
                        phase[k] = Phase.APPLIED;
                    }
                }
                case APPLIED -> {
                    // Applied, but the reply may still be lost.
                    boolean lost = rnd.nextDouble() < c.unknownRate() / 2;
                    history.complete(id[k], lost ? Result.unknown() : result[k]);
                    phase[k] = Phase.IDLE;
                    busy--;
                }
            }
        }
        return history;
    }

    static Operation randomOperation(Random rnd, Config c) {
        String key = "k" + rnd.nextInt(c.keys());
        int roll = rnd.nextInt(100);
        if (roll < 40) {
            return Operation.get(key);
        }
        if (roll < 65) {
            return Operation.put(key, value(rnd, c));
        }
        if (roll < 85) {
            String expected = rnd.nextInt(5) == 0 ? null : value(rnd, c);
            return Operation.cas(key, expected, value(rnd, c));
        }
        return Operation.delete(key);
    }

    private static String value(Random rnd, Config c) {
        return "v" + rnd.nextInt(c.values());
    }
}
