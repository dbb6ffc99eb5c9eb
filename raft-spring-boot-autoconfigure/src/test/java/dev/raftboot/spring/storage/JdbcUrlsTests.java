package dev.raftboot.spring.storage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JdbcUrlsTests {

  @ParameterizedTest(name = "{0} in memory: {1}")
  @CsvSource({
    "jdbc:h2:mem:test, true",
    "jdbc:h2:mem:, true",
    "JDBC:H2:MEM:test;DB_CLOSE_DELAY=-1, true",
    "jdbc:h2:tcp://localhost/mem:test, true",
    "jdbc:h2:ssl://localhost:9092/mem:test, true",
    "jdbc:h2:file:./data/raft, false",
    "jdbc:h2:./data/raft, false",
    "jdbc:h2:tcp://localhost/~/raft, false",
    "jdbc:hsqldb:mem:test, true",
    "jdbc:hsqldb:file:/var/db/raft, false",
    "jdbc:derby:memory:test;create=true, true",
    "jdbc:derby:/var/db/raft, false",
    "jdbc:sqlite::memory:, true",
    "jdbc:sqlite:/var/db/raft.db, false",
    "jdbc:postgresql://127.0.0.1:5432/test, false",
    "jdbc:mariadb://127.0.0.1:3306/test, false",
  })
  void recognisesInMemoryDatabases(String url, boolean inMemory) {
    assertThat(JdbcUrls.isInMemory(url)).isEqualTo(inMemory);
  }

  @Test
  void redactsPasswords() {
    assertThat(JdbcUrls.redact("jdbc:postgresql://db/raft?user=raft&password=s3cret&ssl=true"))
        .isEqualTo("jdbc:postgresql://db/raft?user=raft&password=******&ssl=true");
    assertThat(JdbcUrls.redact("jdbc:h2:file:/data/raft;PASSWORD=x;CIPHER=AES"))
        .isEqualTo("jdbc:h2:file:/data/raft;PASSWORD=******;CIPHER=AES");
  }
}
