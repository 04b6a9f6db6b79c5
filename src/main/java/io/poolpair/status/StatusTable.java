package io.poolpair.status;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** The human form of a status report: a compact block per module. */
public final class StatusTable {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    private StatusTable() {
    }

    public static void print(BackupStatus.Report report, PrintWriter out) {
        out.printf("Pool %s, paired with %s (export %s→%s, import %s→%s)%n", report.pool(), report.peer(), report.pool(),
                report.peer(), report.peer(), report.pool());
        BackupStatus.InstanceStatus instance = report.activeInstance();
        if (instance != null) {
            String named = instance.host() == null ? "none named yet"
                    : instance.host() + " pid " + instance.pid() + at(instance.refreshedAt()).replace(" at ", " (refreshed ") + ")";
            String here = instance.thisInstanceActive() == null ? ""
                    : instance.thisInstanceActive() ? "; this instance is active" : "; this instance stands by";
            out.printf("  Active instance: %s%s%n", named, here);
        }
        BackupStatus.IncarnationStatus incarnation = report.incarnation();
        if (incarnation != null) {
            out.printf("  Incarnation: %s since %s%s%n", incarnation.incarnation(), TIME.format(incarnation.since()),
                    incarnation.replaced() == null ? "" : " (replaced " + incarnation.replaced() + ": " + incarnation.reason() + ")");
        }
        if (report.failover() != null) {
            out.printf("  Failover: %s%n", report.failover().summary());
        }
        if (!report.conflicts().isEmpty()) {
            out.printf("  Conflicts: %d key(s) written on both pools, newest write kept%s:%n", report.conflictCount(),
                    report.conflictCount() > report.conflicts().size() ? " (latest " + report.conflicts().size() + ")" : "");
            for (var c : report.conflicts()) {
                out.printf("    %s %s %s: kept %s (here %s, peer %s)%n", c.module(), c.table(), c.key(), c.kept(),
                        TIME.format(c.localAt()), TIME.format(c.peerAt()));
            }
        }
        for (BackupStatus.ModuleStatus m : report.modules()) {
            out.println();
            out.println("  " + m.module());
            row(out, "ExportStatus", m.exportStatus().name());
            row(out, "ImportStatus", m.importStatus().name());
            row(out, "Pending changes", Long.toString(m.pendingChanges()));
            row(out, "Unacknowledged batches", Long.toString(m.unacknowledgedBatches()));
            row(out, "Last exported batch", m.lastExportedBatch() + at(m.lastExportedAt()));
            row(out, "Last acknowledged batch", m.lastAcknowledgedBatch() + at(m.lastAcknowledgedAt()));
            row(out, "Last applied batch", m.lastAppliedBatch() + at(m.lastAppliedAt()));
            row(out, "Recovery point age", m.oldestUnacknowledgedChangeAgeSeconds() + " s");
            row(out, "Quarantined files", Long.toString(m.quarantinedFiles()));
            row(out, "Last error", m.lastError() == null ? "-" : m.lastError());
            var verified = report.verifications() == null ? null
                    : report.verifications().stream().filter(v -> v.module().equals(m.module())).findFirst().orElse(null);
            row(out, "Last verification", verified == null ? "never (poolpair verify)"
                    : verified.result() + at(verified.verifiedAt()) + ": " + verified.differences() + " differ, "
                    + verified.inFlight() + " in flight, " + verified.rowsCompared() + " rows compared");
            if (m.peerRowWrites() > 0) {
                row(out, "Peer rows written here", m.peerRowWrites() + " (last: " + m.lastPeerRowWrite() + ")");
            }
            if (m.restore() != null) {
                row(out, "Restore", m.restore());
            }
            if (m.restoreToPeer() != null) {
                row(out, "Restore snapshot", m.restoreToPeer());
            }
            if (m.contentWaiting() != null) {
                row(out, "Content waiting", m.contentWaiting());
            }
            if (m.oversizedContent() != null) {
                row(out, "Oversized content", m.oversizedContent());
            }
        }
        out.flush();
    }

    private static void row(PrintWriter out, String name, String value) {
        out.printf("    %-24s %s%n", name, value);
    }

    private static String at(Instant t) {
        return t == null ? "" : " at " + TIME.format(t);
    }
}
