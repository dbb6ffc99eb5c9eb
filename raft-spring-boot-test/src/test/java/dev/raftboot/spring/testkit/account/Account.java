package dev.raftboot.spring.testkit.account;

import com.google.protobuf.ByteString;
import dev.raftboot.spring.command.ReplicatedCommand;
import dev.raftboot.spring.command.ReplicatedQuery;
import dev.raftboot.spring.spi.StateSnapshotter;
import org.springframework.stereotype.Component;

/** A balance that deposits raise and withdrawals lower, never below zero. */
@Component
public class Account implements StateSnapshotter {

  private volatile long balance;

  /** Adds {@code amount}; returns the new balance. */
  @ReplicatedCommand
  public long deposit(long amount) {
    balance += amount;
    return balance;
  }

  /** Takes {@code amount} if the balance covers it; returns the new balance, or -1 if refused. */
  @ReplicatedCommand
  public long withdraw(long amount) {
    if (amount > balance) {
      return -1;
    }
    balance -= amount;
    return balance;
  }

  @ReplicatedQuery
  public long balance() {
    return balance;
  }

  @Override
  public ByteString snapshot() {
    return ByteString.copyFromUtf8(Long.toString(balance));
  }

  @Override
  public void restore(ByteString snapshot) {
    balance = Long.parseLong(snapshot.toStringUtf8());
  }
}
