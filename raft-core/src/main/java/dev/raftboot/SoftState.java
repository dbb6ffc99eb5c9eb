package dev.raftboot;

/** Volatile state that need not be persisted: the known leader (0 if none) and this node's role. */
public record SoftState(long lead, StateType raftState) {}
