package io.atomicfiles.cli.demo;

import io.atomicfiles.FileTransaction;
import io.atomicfiles.RecoveryReport;
import io.atomicfiles.cli.demo.CrashingTransaction.Moment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A process killed in the middle of a transaction, and the recovery that follows: rolled
 * forward when the kill came after the commit point, rolled back when it came before.
 */
final class CrashRecoveryScene implements Scene {
    private final Moment moment;

    CrashRecoveryScene(Moment moment) {
        this.moment = moment;
    }

    @Override
    public String title() {
        return moment == Moment.AFTER_COMMIT_POINT
                ? "Killed after its commit point, a transaction is rolled forward"
                : "Killed before its commit point, a transaction is rolled back";
    }

    @Override
    public void play(Stage stage) throws Exception {
        Path site = stage.file("site");
        Path journal = Files.createDirectories(stage.file("journal"));
        SiteRelease.prepare(site);
        Map<String, String> before = stage.snapshot();
        stage.say("The release of site/ is one transaction of five operations: rewrite index, about and news,");
        stage.say("add contact.html, delete old.html. Before:");
        stage.showListing();

        stage.say(moment == Moment.AFTER_COMMIT_POINT
                ? "A second JVM commits it and halts itself (Runtime.halt, as sudden as kill -9) just before"
                        + " operation " + SiteRelease.HALT_AT_OPERATION + ":"
                : "A second JVM commits it and halts itself (Runtime.halt, as sudden as kill -9) once every"
                        + " new page is staged, just before the commit record:");
        stage.call("java -cp <this class path> " + CrashingTransaction.class.getSimpleName() + " site journal "
                + moment);
        CrashingTransaction.Outcome child = CrashingTransaction.runInChildJvm(site, journal, moment);
        if (!stage.check("the child JVM died in the middle of the transaction (exit " + child.exitCode() + ")",
                child.halted())) {
            child.output().lines().forEach(line -> stage.say("  child: " + line));
            return;
        }
        stage.say("What the crash left: " + (moment == Moment.AFTER_COMMIT_POINT
                ? "some pages renamed into place, the rest still staged under hidden names, the journal:"
                : "every new page staged under a hidden name, no target touched, the journal:"));
        stage.showListing();
        if (moment == Moment.AFTER_COMMIT_POINT) {
            stage.check("index.html and about.html already show the new version; news.html is still the old one",
                    holds(site, "index.html", SiteRelease.after()) && holds(site, "about.html", SiteRelease.after())
                            && holds(site, "news.html", SiteRelease.before()));
        } else {
            stage.check("every page is still the old version",
                    SiteRelease.before().keySet().stream().allMatch(name -> holds(site, name, SiteRelease.before())));
        }
        stage.check("the journal is still there: " + Stage.journals(journal), Stage.journals(journal).size() == 1);

        stage.call("FileTransaction.recover(journal)");
        RecoveryReport report = FileTransaction.recover(journal);
        for (RecoveryReport.Transaction transaction : report.transactions()) {
            stage.say(transaction.id() + ": " + transaction.outcome());
            transaction.actions().forEach(action -> stage.say("  " + stage.relative(action)));
            transaction.conflicts().forEach(conflict -> stage.say("  CONFLICT: " + stage.relative(conflict)));
        }
        stage.showListing();
        RecoveryReport.Outcome expected = moment == Moment.AFTER_COMMIT_POINT
                ? RecoveryReport.Outcome.ROLLED_FORWARD : RecoveryReport.Outcome.ROLLED_BACK;
        List<RecoveryReport.Transaction> recovered = report.transactions();
        stage.check("recovery found the one transaction and rolled it "
                + (expected == RecoveryReport.Outcome.ROLLED_FORWARD ? "forward" : "back") + ", without conflicts",
                recovered.size() == 1 && recovered.get(0).outcome() == expected && !report.hasConflicts());
        if (moment == Moment.AFTER_COMMIT_POINT) {
            stage.check("every page has its new version, contact.html included",
                    SiteRelease.after().keySet().stream().allMatch(name -> holds(site, name, SiteRelease.after())));
            stage.check("old.html is gone, kept as old.html.deleted_backup",
                    !Files.exists(site.resolve(SiteRelease.DELETED))
                            && holds(site, SiteRelease.DELETED + ".deleted_backup", SiteRelease.DELETED,
                                    SiteRelease.before()));
            stage.check("each rewritten page's old version is its NAME.backup",
                    List.of("index.html", "about.html", "news.html").stream()
                            .allMatch(name -> holds(site, name + ".backup", name, SiteRelease.before())));
        } else {
            stage.check("every file is exactly as before the transaction, and nothing was added",
                    stage.snapshot().equals(before));
        }
        stage.checkNoTransactionFiles();
        stage.check("no journal is left", Stage.journals(journal).isEmpty());
    }

    /** Whether site/NAME holds the page {@code name} of {@code pages}. */
    private static boolean holds(Path site, String name, Map<String, String> pages) {
        return holds(site, name, name, pages);
    }

    /** Whether site/FILE holds the page {@code page} of {@code pages}. */
    private static boolean holds(Path site, String file, String page, Map<String, String> pages) {
        try {
            Path path = site.resolve(file);
            return Files.isRegularFile(path)
                    && Arrays.equals(Files.readAllBytes(path), pages.get(page).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            return false;
        }
    }
}
