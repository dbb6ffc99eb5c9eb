package dev.raftboot.spring.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SnapshotEnvelopeTest {

  @Test
  void roundTripsAddressesStateAndAppliedRequests() {
    SnapshotEnvelope env =
        new SnapshotEnvelope(
            Map.of(1L, URI.create("http://a:1"), 2L, URI.create("http://b:2")),
            ByteString.copyFromUtf8("state"),
            Map.of(1L, List.of(-5L, Long.MAX_VALUE, 7L), 3L, List.of()));

    SnapshotEnvelope decoded = SnapshotEnvelope.decode(env.encode());

    assertThat(decoded.addresses()).isEqualTo(env.addresses());
    assertThat(decoded.state()).isEqualTo(env.state());
    assertThat(decoded.appliedRequests())
        .isEqualTo(Map.of(1L, List.of(-5L, Long.MAX_VALUE, 7L), 3L, List.of()));
  }

  @Test
  void snapshotsWithoutAppliedRequestsStillDecode() {
    // What the two-field format wrote: the same bytes as an envelope with no applied ids.
    ByteString old =
        new SnapshotEnvelope(Map.of(1L, URI.create("http://a:1")), ByteString.copyFromUtf8("s"))
            .encode();

    SnapshotEnvelope decoded = SnapshotEnvelope.decode(old);

    assertThat(decoded.state().toStringUtf8()).isEqualTo("s");
    assertThat(decoded.appliedRequests()).isEmpty();
  }
}
