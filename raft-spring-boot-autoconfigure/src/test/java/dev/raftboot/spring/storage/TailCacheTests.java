package dev.raftboot.spring.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.raftboot.raftpb.Entry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TailCacheTests {

  private static List<Entry> entries(long from, long to) {
    List<Entry> list = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      list.add(Entry.newBuilder().setIndex(i).setTerm(i * 10).build());
    }
    return list;
  }

  @Test
  void keepsTheNewestEntriesUpToItsCapacity() {
    TailCache cache = new TailCache(3);
    cache.append(entries(1, 2));
    cache.append(entries(3, 5));
    assertThat(cache.firstIndex()).isEqualTo(3);
    assertThat(cache.size()).isEqualTo(3);
    assertThat(cache.contains(2)).isFalse();
    assertThat(cache.get(5).getTerm()).isEqualTo(50);
    cache.append(entries(6, 20));
    assertThat(cache.firstIndex()).isEqualTo(18);
    assertThat(cache.get(20).getTerm()).isEqualTo(200);
  }

  @Test
  void truncatesAndDropsAtBothEnds() {
    TailCache cache = new TailCache(5);
    cache.append(entries(10, 14));
    cache.truncateFrom(13);
    assertThat(cache.size()).isEqualTo(3);
    cache.append(entries(13, 13));
    assertThat(cache.get(13).getTerm()).isEqualTo(130);
    cache.dropThrough(11);
    assertThat(cache.firstIndex()).isEqualTo(12);
    assertThat(cache.size()).isEqualTo(2);
    cache.truncateFrom(5);
    assertThat(cache.isEmpty()).isTrue();
    cache.append(entries(40, 41));
    assertThat(cache.firstIndex()).isEqualTo(40);
  }

  @Test
  void appendAfterAGapStartsOver() {
    TailCache cache = new TailCache(4);
    cache.append(entries(1, 3));
    cache.append(entries(7, 8));
    assertThat(cache.firstIndex()).isEqualTo(7);
    assertThat(cache.size()).isEqualTo(2);
  }

  @Test
  void zeroCapacityCachesNothing() {
    TailCache cache = new TailCache(0);
    cache.append(entries(1, 3));
    assertThat(cache.isEmpty()).isTrue();
    assertThat(cache.contains(1)).isFalse();
  }
}
