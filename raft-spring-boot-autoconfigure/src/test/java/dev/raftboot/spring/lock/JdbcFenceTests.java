package dev.raftboot.spring.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JdbcFenceTests {

  private final String url = "jdbc:h2:mem:fence-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000";
  private final JdbcFence fence = new JdbcFence();
  private Connection keepAlive;

  @BeforeEach
  void createTable() throws SQLException {
    keepAlive = DriverManager.getConnection(url);
    try (Statement s = keepAlive.createStatement()) {
      s.execute(fence.createTableSql());
      s.execute("CREATE TABLE account (id INT PRIMARY KEY, balance INT)");
      s.execute("INSERT INTO account VALUES (1, 0)");
    }
  }

  @AfterEach
  void drop() throws SQLException {
    keepAlive.close();
  }

  private Connection tx() throws SQLException {
    Connection c = DriverManager.getConnection(url);
    c.setAutoCommit(false);
    return c;
  }

  /** One protected write: the fence check, then the data, in one transaction. */
  private void write(long token, int balance) throws SQLException {
    try (Connection c = tx()) {
      try {
        fence.check(c, "account-1", token);
        try (Statement s = c.createStatement()) {
          s.executeUpdate("UPDATE account SET balance = " + balance + " WHERE id = 1");
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  private int balance() throws SQLException {
    try (Statement s = keepAlive.createStatement();
        ResultSet rs = s.executeQuery("SELECT balance FROM account WHERE id = 1")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  @Test
  void aNewerTokenWritesAndAnOlderOneIsRefused() throws SQLException {
    write(5, 50);
    write(5, 55);
    write(7, 70);
    assertThatThrownBy(() -> write(6, 60))
        .isInstanceOfSatisfying(
            StaleTokenException.class,
            e -> {
              assertThat(e.token()).isEqualTo(6);
              assertThat(e.current()).isEqualTo(7);
            })
        .hasMessageContaining("stale");
    assertThat(balance()).isEqualTo(70);
  }

  /**
   * The stale holder's check waits for the newer holder's open transaction (the row lock) and is
   * refused once it commits: their writes cannot interleave.
   */
  @Test
  void aStaleHolderWaitsForTheNewerTransactionAndIsThenRefused() throws Exception {
    write(1, 10);
    try (Connection newer = tx()) {
      fence.check(newer, "account-1", 2);
      CompletableFuture<Void> stale =
          CompletableFuture.runAsync(
              () -> {
                try {
                  write(1, 11);
                } catch (SQLException e) {
                  throw new IllegalStateException(e);
                }
              });
      Thread.sleep(200);
      assertThat(stale).isNotDone();
      try (Statement s = newer.createStatement()) {
        s.executeUpdate("UPDATE account SET balance = 20 WHERE id = 1");
      }
      newer.commit();
      assertThatThrownBy(() -> stale.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(StaleTokenException.class);
    }
    assertThat(balance()).isEqualTo(20);
  }

  @Test
  void refusesToRunOutsideATransaction() throws SQLException {
    try (Connection c = DriverManager.getConnection(url)) {
      assertThatIllegalStateException()
          .isThrownBy(() -> fence.check(c, "account-1", 1))
          .withMessageContaining("auto-commit");
    }
  }

  @Test
  void refusesATableNameThatIsNotAPlainIdentifier() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new JdbcFence("fence; DROP TABLE x"))
        .withMessageContaining("plain SQL name");
    assertThat(new JdbcFence("app.raft_fence").createTableSql()).startsWith("CREATE TABLE app.raft_fence");
  }
}
