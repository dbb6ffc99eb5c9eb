package dev.raftboot.sim;

import java.util.LinkedHashMap;
import java.util.Map;

/** Counters of one run or of many (see {@link #add}); printed at the end of a test. */
final class SimStats {

  long seeds;
  long steps;
  long ticks;
  long violations;

  // faults
  long msgsSent;
  long msgsLost;
  long msgsCutByPartition;
  long msgsToDownNode;
  long msgsDelayed;
  long msgsDuplicated;
  long msgsReordered;
  long partitionsSymmetric;
  long partitionsOneWay;
  long leaderIsolations;
  long crashes;
  long restarts;
  long lossBursts;
  long dupBursts;
  long delayBursts;
  long unreachableReports;
  long powerLosses;
  long powerLossesAll;
  long fsyncFailures;
  long disksFull;
  long diskFullStops;
  long disksSlow;
  long slowSyncs;
  long suspends;
  long msgsToSuspendedNode;

  // operations
  long proposals;
  long proposalsDropped;
  long clientEntriesCommitted;
  long confChangesProposed;
  long confChangesApplied;
  long transfers;
  long campaigns;
  long readsRequested;
  long readsServed;
  long leaseReads;
  long snapshotsCreated;
  long snapshotsSent;
  long snapshotsInstalled;
  long snapshotsOnDemand;
  long snapshotFailures;
  long leadersElected;
  long entriesApplied;
  long stepErrors;
  long asyncNodes;
  long syncNodes;
  long nodesAdded;
  long nodesRetired;

  long livenessMaxTicks;
  long livenessTotalTicks;

  void add(SimStats o) {
    seeds += o.seeds;
    steps += o.steps;
    ticks += o.ticks;
    violations += o.violations;
    msgsSent += o.msgsSent;
    msgsLost += o.msgsLost;
    msgsCutByPartition += o.msgsCutByPartition;
    msgsToDownNode += o.msgsToDownNode;
    msgsDelayed += o.msgsDelayed;
    msgsDuplicated += o.msgsDuplicated;
    msgsReordered += o.msgsReordered;
    partitionsSymmetric += o.partitionsSymmetric;
    partitionsOneWay += o.partitionsOneWay;
    leaderIsolations += o.leaderIsolations;
    crashes += o.crashes;
    restarts += o.restarts;
    lossBursts += o.lossBursts;
    dupBursts += o.dupBursts;
    delayBursts += o.delayBursts;
    unreachableReports += o.unreachableReports;
    powerLosses += o.powerLosses;
    powerLossesAll += o.powerLossesAll;
    fsyncFailures += o.fsyncFailures;
    disksFull += o.disksFull;
    diskFullStops += o.diskFullStops;
    disksSlow += o.disksSlow;
    slowSyncs += o.slowSyncs;
    suspends += o.suspends;
    msgsToSuspendedNode += o.msgsToSuspendedNode;
    leaseReads += o.leaseReads;
    proposals += o.proposals;
    proposalsDropped += o.proposalsDropped;
    clientEntriesCommitted += o.clientEntriesCommitted;
    confChangesProposed += o.confChangesProposed;
    confChangesApplied += o.confChangesApplied;
    transfers += o.transfers;
    campaigns += o.campaigns;
    readsRequested += o.readsRequested;
    readsServed += o.readsServed;
    snapshotsCreated += o.snapshotsCreated;
    snapshotsSent += o.snapshotsSent;
    snapshotsInstalled += o.snapshotsInstalled;
    snapshotsOnDemand += o.snapshotsOnDemand;
    snapshotFailures += o.snapshotFailures;
    leadersElected += o.leadersElected;
    entriesApplied += o.entriesApplied;
    stepErrors += o.stepErrors;
    asyncNodes += o.asyncNodes;
    syncNodes += o.syncNodes;
    nodesAdded += o.nodesAdded;
    nodesRetired += o.nodesRetired;
    livenessMaxTicks = Math.max(livenessMaxTicks, o.livenessMaxTicks);
    livenessTotalTicks += o.livenessTotalTicks;
  }

  Map<String, Long> faults() {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("lost", msgsLost);
    m.put("cut-by-partition", msgsCutByPartition);
    m.put("to-crashed-node", msgsToDownNode);
    m.put("delayed", msgsDelayed);
    m.put("duplicated", msgsDuplicated);
    m.put("reordered", msgsReordered);
    m.put("partitions-symmetric", partitionsSymmetric);
    m.put("partitions-one-way", partitionsOneWay);
    m.put("leader-isolations", leaderIsolations);
    m.put("crashes", crashes);
    m.put("restarts", restarts);
    m.put("loss-bursts", lossBursts);
    m.put("dup-bursts", dupBursts);
    m.put("delay-bursts", delayBursts);
    m.put("snapshot-send-failures", snapshotFailures);
    m.put("power-losses", powerLosses);
    m.put("whole-cluster-power-losses", powerLossesAll);
    m.put("fsync-failures", fsyncFailures);
    m.put("disks-full", disksFull);
    m.put("disk-full-stops", diskFullStops);
    m.put("disks-slow", disksSlow);
    m.put("slow-syncs", slowSyncs);
    m.put("suspends", suspends);
    m.put("to-suspended-node", msgsToSuspendedNode);
    return m;
  }

  long faultTotal() {
    long t = 0;
    for (long v : faults().values()) {
      t += v;
    }
    return t;
  }

  String summary() {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            "seeds=%d steps=%d ticks=%d violations=%d%n", seeds, steps, ticks, violations));
    sb.append(String.format("faults=%d %s%n", faultTotal(), faults()));
    sb.append(
        String.format(
            "ops: proposals=%d dropped=%d client-entries-committed=%d entries-applied=%d"
                + " conf-changes=%d/%d(proposed/applied) transfers=%d campaigns=%d"
                + " reads=%d/%d/%d(requested/served/from-lease)%n",
            proposals, proposalsDropped, clientEntriesCommitted, entriesApplied,
            confChangesProposed, confChangesApplied, transfers, campaigns, readsRequested,
            readsServed, leaseReads));
    sb.append(
        String.format(
            "raft: leaders=%d snapshots=%d/%d/%d/%d(created/on-demand/sent/installed) msgs=%d step-errors=%d"
                + " nodes=%d sync + %d async, added=%d retired=%d%n",
            leadersElected, snapshotsCreated, snapshotsOnDemand, snapshotsSent, snapshotsInstalled, msgsSent,
            stepErrors, syncNodes, asyncNodes, nodesAdded, nodesRetired));
    sb.append(
        String.format(
            "liveness after heal: max %d ticks, mean %.1f ticks",
            livenessMaxTicks, seeds == 0 ? 0.0 : (double) livenessTotalTicks / seeds));
    return sb.toString();
  }
}
