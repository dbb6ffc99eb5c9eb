package dev.raftboot.demo;

import java.time.Instant;
import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * A job that every node schedules at the same wall-clock moments (a cron every ten seconds) and
 * that runs on one of them per period: the first to get the lock runs it and keeps the lock for at
 * least half the period, so the others skip it. {@code GET /jobs/report} shows who ran it.
 */
@Component
class ReportJob {

  private static final Logger log = LoggerFactory.getLogger(ReportJob.class);

  private final ReportLedger ledger;
  private final long nodeId;

  ReportJob(ReportLedger ledger, @Value("${raft.node-id}") long nodeId) {
    this.ledger = ledger;
    this.nodeId = nodeId;
  }

  @Scheduled(cron = "${demo.report.cron:*/10 * * * * *}")
  @SchedulerLock(
      name = "demo-report",
      lockAtMostFor = "PT30S",
      lockAtLeastFor = "${demo.report.lock-at-least-for:PT5S}")
  void run() {
    try {
      // The caller computes the period: replicated commands must not read clocks.
      long number = ledger.record(nodeId, Instant.now().getEpochSecond());
      log.info("report run {} on node {}", number, nodeId);
    } catch (RuntimeException e) {
      log.warn("report run on node {} failed: {}", nodeId, e.toString());
    }
  }
}
