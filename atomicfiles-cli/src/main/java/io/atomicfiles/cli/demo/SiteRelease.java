package io.atomicfiles.cli.demo;

import io.atomicfiles.ContentType;
import io.atomicfiles.FileTransaction;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The transaction the crash scenes interrupt: a small web site's release. Three pages are
 * rewritten, one is added and one is deleted, five operations that must happen together. The
 * pages are a few dozen KiB each, so that staging them takes real work.
 *
 * <p>The same class runs in the demo, in the child JVM that crashes ({@link CrashingTransaction})
 * and in tests, so all three agree on what "before" and "after" are.
 */
public final class SiteRelease {
    /** The operation the child is halted at, after the commit point: {@value}. Operations before it are applied. */
    public static final int HALT_AT_OPERATION = 3;
    /** The page the release deletes. */
    public static final String DELETED = "old.html";

    /** Paragraphs per page: the new version has more, so that a listing tells old from new by size. */
    private static final int PARAGRAPHS_BEFORE = 1500;
    private static final int PARAGRAPHS_AFTER = 1800;

    private SiteRelease() {
    }

    /** The pages before the release: name → content. */
    public static Map<String, String> before() {
        Map<String, String> pages = new LinkedHashMap<>();
        pages.put("index.html", page("Home", "version 1", PARAGRAPHS_BEFORE));
        pages.put("about.html", page("About us", "version 1", PARAGRAPHS_BEFORE));
        pages.put("news.html", page("News", "version 1", PARAGRAPHS_BEFORE));
        pages.put(DELETED, page("Old offers", "version 1", PARAGRAPHS_BEFORE));
        return pages;
    }

    /** The pages after the release: name → content ({@link #DELETED} is gone). */
    public static Map<String, String> after() {
        Map<String, String> pages = new LinkedHashMap<>();
        pages.put("index.html", page("Home", "version 2", PARAGRAPHS_AFTER));
        pages.put("about.html", page("About us", "version 2", PARAGRAPHS_AFTER));
        pages.put("news.html", page("News", "version 2", PARAGRAPHS_AFTER));
        pages.put("contact.html", page("Contact", "version 2", PARAGRAPHS_AFTER));
        return pages;
    }

    /** Puts the pages of {@link #before()} into {@code site}. */
    public static void prepare(Path site) throws IOException {
        Files.createDirectories(site);
        for (Map.Entry<String, String> page : before().entrySet()) {
            Files.writeString(site.resolve(page.getKey()), page.getValue(), StandardCharsets.UTF_8);
        }
    }

    /** Adds the release to {@code transaction}: the pages of {@link #after()} written, {@link #DELETED} deleted. */
    public static void addTo(FileTransaction transaction, Path site) throws IOException {
        for (Map.Entry<String, String> page : after().entrySet()) {
            transaction.addWrite(site.resolve(page.getKey()), page.getValue(), ContentType.TEXT);
        }
        transaction.addDelete(site.resolve(DELETED));
    }

    private static String page(String title, String version, int paragraphs) {
        StringBuilder html = new StringBuilder("<!doctype html>\n<title>").append(title).append("</title>\n<h1>")
                .append(title).append(" (").append(version).append(")</h1>\n");
        for (int i = 1; i <= paragraphs; i++) {
            html.append("<p>").append(title).append(", paragraph ").append(i).append(", ").append(version)
                    .append("</p>\n");
        }
        return html.toString();
    }
}
