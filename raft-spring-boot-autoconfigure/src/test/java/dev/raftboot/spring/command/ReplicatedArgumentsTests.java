package dev.raftboot.spring.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import com.google.protobuf.StringValue;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.EntryType;
import dev.raftboot.spring.api.InvalidCommandException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Arguments travel through the log and reach every node's bean as equal values. */
class ReplicatedArgumentsTests {

  private final InProcessCluster cluster = new InProcessCluster(3);

  private final ApplicationContextRunner runner = ClusterRunner.runner(ArgumentsConfiguration.class);

  @AfterEach
  void stopCluster() {
    cluster.close();
  }

  static final Order ORDER =
      new Order(
          "o-1",
          List.of(new Line("sku-1", 2, new BigDecimal("9.99")), new Line("sku-2", 1, new BigDecimal("0.10"))),
          new LinkedHashMap<>(Map.of("gift", "yes")),
          null,
          Instant.parse("2024-05-01T10:15:30.123456789Z"),
          Status.PAID);

  @Test
  void recordsListsMapsAndNullsRoundTripAsJson() {
    ClusterRunner.run(
        cluster,
        runner,
        nodes -> {
          Echo echo = nodes.get(1).bean(Echo.class);
          Map<Long, List<String>> index = new LinkedHashMap<>();
          index.put(7L, List.of("a", "b"));
          index.put(-1L, List.of());
          Set<String> tags = new TreeSet<>(Set.of("x", "y"));

          assertThat(echo.order(ORDER)).isEqualTo(ORDER);
          assertThat(echo.orders(List.of(ORDER, ORDER))).containsExactly(ORDER, ORDER);
          assertThat(echo.index(index)).isEqualTo(index);
          assertThat(echo.tags(tags)).isEqualTo(tags);
          assertThat(echo.nulls(null, null, List.of())).isEqualTo("null/null/[]");
          assertThat(echo.optional(Optional.of("v"))).contains("v");
          assertThat(echo.optional(Optional.empty())).isEmpty();

          cluster.awaitApplied();
          for (ClusterRunner.Node node : nodes) {
            assertThat(node.bean(Echo.class).received())
                .containsExactly(
                    ORDER,
                    List.of(ORDER, ORDER),
                    index,
                    tags,
                    "null/null/[]",
                    Optional.of("v"),
                    Optional.empty());
          }
        });
  }

  @Test
  void primitivesAndBoxedValuesRoundTrip() {
    ClusterRunner.run(
        cluster,
        runner,
        nodes -> {
          Echo echo = nodes.get(2).bean(Echo.class);
          String expected =
              "1 9223372036854775807 0.1 1.5 true é -3 7 [1, 2, 3] null 4.9E-324";
          assertThat(
                  echo.primitives(
                      1, Long.MAX_VALUE, 0.1, 1.5f, true, 'é', (short) -3, (byte) 7,
                      new byte[] {1, 2, 3}, null, Double.MIN_VALUE))
              .isEqualTo(expected);
          cluster.awaitApplied();
          for (ClusterRunner.Node node : nodes) {
            assertThat(node.bean(Echo.class).received()).containsExactly(expected);
          }
        });
  }

  @Test
  void typeVariablesOfTheBeanClassAreResolved() {
    ClusterRunner.run(
        cluster,
        runner,
        nodes -> {
          assertThat(nodes.get(0).bean(OrderStore.class).add(ORDER)).isEqualTo(1);
          assertThat(nodes.get(0).bean(OrderStore.class).addAll(List.of(ORDER))).isEqualTo(2);
          cluster.awaitApplied();
          for (ClusterRunner.Node node : nodes) {
            assertThat(node.bean(OrderStore.class).items()).containsExactly(ORDER, ORDER);
          }
        });
  }

  @Test
  void protobufMessagesTravelAsThemselves() {
    ClusterRunner.run(
        cluster,
        runner,
        nodes -> {
          Entry entry =
              Entry.newBuilder()
                  .setTerm(3)
                  .setIndex(42)
                  .setType(EntryType.EntryNormal)
                  .setData(ByteString.copyFromUtf8("payload"))
                  .build();
          Echo echo = nodes.get(0).bean(Echo.class);
          assertThat(echo.entry(entry, "note")).isEqualTo(42L);
          assertThat(echo.message(StringValue.of("hello"))).isEqualTo("StringValue");
          assertThat(echo.message(Entry.getDefaultInstance())).isEqualTo("Entry");
          assertThat(echo.entry(null, "none")).isEqualTo(-1L);
          cluster.awaitApplied();
          for (ClusterRunner.Node node : nodes) {
            assertThat(node.bean(Echo.class).received())
                .containsExactly(
                    entry, "note", StringValue.of("hello"), Entry.getDefaultInstance(), "none");
          }
        });
  }

  @Test
  void argumentThatCannotBeEncodedFailsTheCallerAndIsNotProposed() {
    ClusterRunner.run(
        cluster,
        runner,
        nodes -> {
          Echo echo = nodes.get(0).bean(Echo.class);
          assertThatThrownBy(() -> echo.anything(new Unwritable()))
              .isExactlyInstanceOf(InvalidCommandException.class)
              .hasMessageContaining("argument 0 of echo/")
              .hasMessageContaining("cannot be encoded");
          assertThat(cluster.size()).isZero();
        });
  }

  /** Jackson cannot write it: its only property throws. */
  static final class Unwritable {
    public String getValue() {
      throw new IllegalStateException("not today");
    }
  }

  enum Status {
    NEW,
    PAID
  }

  record Line(String sku, int quantity, BigDecimal price) {}

  record Order(
      String id,
      List<Line> lines,
      Map<String, String> attributes,
      String note,
      Instant placedAt,
      Status status) {}

  /** Records every argument it is given, in order. */
  static class Echo {
    private final List<Object> received = Collections.synchronizedList(new ArrayList<>());

    public List<Object> received() {
      return received;
    }

    private <T> T record(T value) {
      received.add(value);
      return value;
    }

    @ReplicatedCommand
    public Order order(Order order) {
      return record(order);
    }

    @ReplicatedCommand
    public List<Order> orders(List<Order> orders) {
      orders.forEach(o -> assertThat(o).isInstanceOf(Order.class));
      return record(orders);
    }

    @ReplicatedCommand
    public Map<Long, List<String>> index(Map<Long, List<String>> index) {
      index.keySet().forEach(k -> assertThat(k).isInstanceOf(Long.class));
      return record(index);
    }

    @ReplicatedCommand
    public Set<String> tags(Set<String> tags) {
      return record(tags);
    }

    @ReplicatedCommand
    public String nulls(String text, Order order, List<String> empty) {
      return record(text + "/" + order + "/" + empty);
    }

    @ReplicatedCommand
    public Optional<String> optional(Optional<String> value) {
      return record(value);
    }

    @ReplicatedCommand
    public String primitives(
        int i, long l, double d, float f, boolean b, char c, short s, byte y, byte[] bytes,
        Integer boxed, double tiny) {
      List<Byte> list = new ArrayList<>();
      for (byte x : bytes) {
        list.add(x);
      }
      return record(
          i + " " + l + " " + d + " " + f + " " + b + " " + c + " " + s + " " + y + " " + list + " "
              + boxed + " " + tiny);
    }

    @ReplicatedCommand
    public long entry(Entry entry, String note) {
      record(note);
      if (entry == null) {
        return -1;
      }
      received.add(received.size() - 1, entry);
      return entry.getIndex();
    }

    @ReplicatedCommand
    public String message(Message message) {
      return record(message).getClass().getSimpleName();
    }

    @ReplicatedCommand
    public Object anything(Object value) {
      return record(value);
    }
  }

  /** Its parameter types are type variables, bound by the subclass. */
  abstract static class Store<T> {
    private final List<T> items = Collections.synchronizedList(new ArrayList<>());

    public List<T> items() {
      return items;
    }

    @ReplicatedCommand
    public int add(T item) {
      items.add(item);
      return items.size();
    }

    @ReplicatedCommand
    public int addAll(List<T> more) {
      items.addAll(more);
      return items.size();
    }
  }

  static class OrderStore extends Store<Order> {}

  @Configuration(proxyBeanMethods = false)
  static class ArgumentsConfiguration {

    @Bean
    Echo echo() {
      return new Echo();
    }

    @Bean
    OrderStore orderStore() {
      return new OrderStore();
    }
  }
}
