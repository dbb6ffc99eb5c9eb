package dev.raftboot;

import dev.raftboot.raftpb.ConfState;
import dev.raftboot.raftpb.HardState;

/** What a {@link Storage} holds from before a restart: the hard state and the conf state. */
public record InitialState(HardState hardState, ConfState confState) {}
