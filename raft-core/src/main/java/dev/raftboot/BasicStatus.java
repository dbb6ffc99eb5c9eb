package dev.raftboot;

import dev.raftboot.raftpb.HardState;

/** A node's state without the progress map: cheap to take. */
public record BasicStatus(
    long id, HardState hardState, SoftState softState, long applied, long leadTransferee) {}
