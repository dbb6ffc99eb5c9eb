package dev.raftboot.testkit.linearizability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ModelCheckerTest {

    /** A bank account: deposits add, a withdrawal beyond the balance is refused. */
    sealed interface Call permits Deposit, Withdraw, Balance {
    }

    record Deposit(long amount) implements Call {
    }

    record Withdraw(long amount) implements Call {
    }

    record Balance() implements Call {
    }

    static final Model<Long, Call, Long> ACCOUNT = new Model<>() {
        @Override
        public Long initial() {
            return 0L;
        }

        @Override
        public Step<Long, Long> apply(Long balance, Call call) {
            if (call instanceof Deposit d) {
                return new Step<>(balance + d.amount(), balance + d.amount());
            }
            if (call instanceof Withdraw w) {
                return w.amount() > balance ? new Step<>(balance, -1L)
                        : new Step<>(balance - w.amount(), balance - w.amount());
            }
            return new Step<>(balance, balance);
        }
    };

    private final ModelHistory<Call, Long> history = new ModelHistory<>();

    @Test
    void overlappingCallsMayTakeEffectInEitherOrder() {
        long a = history.invoke(1, new Deposit(10));
        long b = history.invoke(2, new Withdraw(5));
        history.ok(b, 5L); // the withdrawal saw the deposit, though it was answered first
        history.ok(a, 10L);

        ModelCheckResult<Call, Long> result = ModelChecker.check(ACCOUNT, history);

        assertThat(result.isLinearizable()).as(result.describe()).isTrue();
        assertThat(result.linearization()).extracting(ModelHistory.Entry::call)
                .containsExactly(new Deposit(10), new Withdraw(5));
    }

    @Test
    void aStaleReadAfterAnAnsweredDepositIsAViolation() {
        history.ok(history.invoke(1, new Deposit(10)), 10L);
        history.ok(history.invoke(2, new Balance()), 0L);

        ModelCheckResult<Call, Long> result = ModelChecker.check(ACCOUNT, history);

        assertThat(result.verdict()).isEqualTo(CheckResult.Verdict.NOT_LINEARIZABLE);
        assertThat(result.describe()).contains("client 2: Balance[] -> 0");
        assertThatThrownBy(result::assertLinearizable).isInstanceOf(AssertionError.class);
    }

    @Test
    void aCallWithAnUnknownOutcomeMayHaveTakenEffectLater() {
        long lost = history.invoke(1, new Deposit(7));
        history.unknown(lost);
        history.ok(history.invoke(2, new Balance()), 0L);
        history.ok(history.invoke(2, new Balance()), 7L);

        assertThat(ModelChecker.check(ACCOUNT, history).isLinearizable()).isTrue();
    }

    @Test
    void aFailedCallNeverTakesEffect() {
        history.failed(history.invoke(1, new Deposit(7)));
        history.ok(history.invoke(2, new Balance()), 7L);

        assertThat(ModelChecker.check(ACCOUNT, history).isLinearizable()).isFalse();
    }

    @Test
    void givesUpWithUnknownWhenTheBoundRunsOut() {
        for (int client = 0; client < 8; client++) {
            history.invoke(client, new Deposit(1 << client));
        }
        history.ok(history.invoke(9, new Balance()), -5L);

        ModelCheckResult<Call, Long> result = ModelChecker.check(ACCOUNT, history.entries(), 10);

        assertThat(result.verdict()).isEqualTo(CheckResult.Verdict.UNKNOWN);
    }

    @Test
    void aClientHasOneCallInFlightAndCompletesItOnce() {
        long id = history.invoke(1, new Balance());

        assertThatThrownBy(() -> history.invoke(1, new Balance()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already has a call in flight");
        history.ok(id, 0L);
        assertThatThrownBy(() -> history.unknown(id))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already complete");
    }
}
