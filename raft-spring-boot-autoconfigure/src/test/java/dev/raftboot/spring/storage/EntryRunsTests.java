package dev.raftboot.spring.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.raftboot.raftpb.Entry;
import dev.raftboot.raftpb.EntryType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class EntryRunsTests {

  private static List<Entry> entries(long from, int count, int dataBytes) {
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Entry.Builder e = Entry.newBuilder().setIndex(from + i).setTerm(1 + i % 3);
      if (i % 2 == 0) {
        e.setType(EntryType.forNumber(i % 3));
      }
      if (i % 3 != 1) {
        e.setData(ByteString.copyFrom(new byte[dataBytes]));
      }
      entries.add(e.build());
    }
    return entries;
  }

  @Test
  void decodingGivesBackTheEncodedEntries() {
    List<Entry> run = entries(41, 7, 30);
    assertThat(EntryRuns.decode(41, 47, EntryRuns.encode(run))).isEqualTo(run);
  }

  @Test
  void dataThatDoesNotHoldExactlyTheNamedIndexesIsRefused() {
    byte[] data = EntryRuns.encode(entries(41, 7, 30));
    assertThat(EntryRuns.decode(41, 46, data)).isNull();
    assertThat(EntryRuns.decode(41, 48, data)).isNull();
    assertThat(EntryRuns.decode(40, 46, data)).isNull();
    assertThat(EntryRuns.decode(41, 47, Arrays.copyOf(data, data.length - 1))).isNull();
    assertThat(EntryRuns.decode(41, 47, Arrays.copyOf(data, data.length + 1))).isNull();
  }

  @Test
  void savesAreSplitAtTheEntryLimit() {
    List<Entry> entries = entries(1, 2 * EntryRuns.MAX_ENTRIES + 5, 1);
    List<List<Entry>> runs = EntryRuns.split(entries);
    assertThat(runs).extracting(List::size)
        .containsExactly(EntryRuns.MAX_ENTRIES, EntryRuns.MAX_ENTRIES, 5);
    assertThat(runs.stream().flatMap(List::stream).toList()).isEqualTo(entries);
  }

  @Test
  void savesAreSplitAtTheByteLimitButNeverBelowOneEntry() {
    int big = EntryRuns.MAX_BYTES / 3;
    List<List<Entry>> runs = EntryRuns.split(entries(1, 7, big));
    assertThat(runs).allSatisfy(
        run -> assertThat(run.stream().mapToInt(Entry::getSerializedSize).sum())
            .isLessThanOrEqualTo(EntryRuns.MAX_BYTES));
    assertThat(runs.stream().mapToInt(List::size).sum()).isEqualTo(7);
    List<List<Entry>> huge = EntryRuns.split(entries(1, 3, EntryRuns.MAX_BYTES + 1));
    assertThat(huge).extracting(List::size).contains(1);
    assertThat(huge.stream().mapToInt(List::size).sum()).isEqualTo(3);
  }
}
