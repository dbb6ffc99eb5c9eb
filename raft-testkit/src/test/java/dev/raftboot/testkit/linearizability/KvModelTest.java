package dev.raftboot.testkit.linearizability;

import static dev.raftboot.testkit.linearizability.Operation.cas;
import static dev.raftboot.testkit.linearizability.Operation.delete;
import static dev.raftboot.testkit.linearizability.Operation.get;
import static dev.raftboot.testkit.linearizability.Operation.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KvModelTest {

    @Test
    void executesSequentially() {
        KvModel m = new KvModel();
        assertThat(m.execute(get("x"))).isEqualTo(Result.okAbsent());
        assertThat(m.execute(cas("x", null, "a"))).isEqualTo(Result.ok(true));
        assertThat(m.execute(cas("x", null, "b"))).isEqualTo(Result.ok(false));
        assertThat(m.execute(get("x"))).isEqualTo(Result.okValue("a"));
        assertThat(m.execute(put("x", "c"))).isEqualTo(Result.ok());
        assertThat(m.execute(cas("x", "c", "d"))).isEqualTo(Result.ok(true));
        assertThat(m.read("x")).contains("d");
        assertThat(m.execute(delete("x"))).isEqualTo(Result.ok(true));
        assertThat(m.execute(delete("x"))).isEqualTo(Result.ok(false));
        assertThat(m.snapshot()).isEmpty();
    }

    @Test
    void startsFromInitialValues() {
        KvModel m = new KvModel(Map.of("x", "1"));
        assertThat(m.execute(get("x"))).isEqualTo(Result.okValue("1"));
    }

    @Test
    void specificationOfEachStep() {
        assertThat(KvModel.apply("a", put("x", "b"), Result.ok())).isEqualTo(new KvModel.Transition(true, "b", ""));
        assertThat(KvModel.apply("a", get("x"), Result.okValue("a")).legal()).isTrue();
        assertThat(KvModel.apply(null, get("x"), Result.okValue("a")).explanation())
                .isEqualTo("read \"a\" but the value was absent");
        assertThat(KvModel.apply("a", delete("x"), Result.ok()).nextValue()).isNull();
        assertThat(KvModel.apply(null, delete("x"), Result.ok(true)).legal()).isFalse();
        assertThat(KvModel.apply(null, delete("x"), Result.ok(false)).legal()).isTrue();
        assertThat(KvModel.apply("a", cas("x", "a", "b"), Result.ok(true)).nextValue()).isEqualTo("b");
        assertThat(KvModel.apply("a", cas("x", "a", "b"), Result.ok(false)).legal()).isFalse();
        assertThat(KvModel.apply("z", cas("x", "a", "b"), Result.ok(false))).isEqualTo(new KvModel.Transition(true, "z", ""));
        // unknown outcomes are read as "took effect"
        assertThat(KvModel.apply("a", cas("x", "a", "b"), Result.unknown()).nextValue()).isEqualTo("b");
        assertThat(KvModel.apply("z", cas("x", "a", "b"), Result.unknown()).legal()).isFalse();
        assertThat(KvModel.apply("z", get("x"), Result.unknown()).nextValue()).isEqualTo("z");
        assertThatThrownBy(() -> KvModel.apply("a", put("x", "b"), Result.failed()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void operationsRenderReadably() {
        assertThat(put("k", "v\"1").toString()).isEqualTo("put(\"k\", \"v\\\"1\")");
        assertThat(cas("k", null, "v").toString()).isEqualTo("cas(\"k\", absent -> \"v\")");
        assertThat(Result.okAbsent().toString()).isEqualTo("ok(absent)");
        assertThat(Result.okValue(null)).isEqualTo(Result.okAbsent());
        assertThatThrownBy(() -> put("k", null)).isInstanceOf(NullPointerException.class);
    }
}
