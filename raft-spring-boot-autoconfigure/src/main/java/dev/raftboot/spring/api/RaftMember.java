package dev.raftboot.spring.api;

import java.net.URI;

/** A member of the cluster as this node knows it. {@code url} is null if unknown. */
public record RaftMember(long id, URI url, boolean voter) {}
