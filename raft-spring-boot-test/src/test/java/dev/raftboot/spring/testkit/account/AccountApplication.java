package dev.raftboot.spring.testkit.account;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The kit's own sample application: one replicated bank account. */
@SpringBootApplication
public class AccountApplication {}
