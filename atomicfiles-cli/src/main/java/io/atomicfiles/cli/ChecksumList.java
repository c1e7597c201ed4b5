package io.atomicfiles.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The output of {@code sha256sum}, read back for {@code verify -c}: the formats GNU coreutils
 * writes and {@code sha256sum -c} accepts.
 *
 * <ul>
 *   <li>{@code <64 hex>  NAME}: text mode (two spaces);</li>
 *   <li>{@code <64 hex> *NAME}: binary mode (a space and an asterisk);</li>
 *   <li>{@code SHA256 (NAME) = <64 hex>}: the BSD-style line of {@code --tag};</li>
 *   <li>a line starting with a backslash: NAME is escaped ({@code \\} for a backslash,
 *       {@code \n} for a newline), as sha256sum writes names holding either.</li>
 * </ul>
 * Blank lines are skipped; any other line is counted as malformed.
 */
record ChecksumList(List<Entry> entries, int malformed) {

    /** One file to check and the SHA-256 it must have (lower case). */
    record Entry(String file, String sha256) {
    }

    private static final Pattern GNU = Pattern.compile("([0-9A-Fa-f]{64}) ([ *])(.+)");
    private static final Pattern TAG = Pattern.compile("SHA256 \\((.+)\\) = ([0-9A-Fa-f]{64})");

    static ChecksumList parse(String text) {
        List<Entry> entries = new ArrayList<>();
        int malformed = 0;
        for (String raw : text.split("\n", -1)) {
            String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
            if (line.isBlank()) {
                continue;
            }
            boolean escaped = line.startsWith("\\");
            String body = escaped ? line.substring(1) : line;
            Matcher gnu = GNU.matcher(body);
            Matcher tag = TAG.matcher(body);
            String name;
            String sha256;
            if (gnu.matches()) {
                sha256 = gnu.group(1);
                name = gnu.group(3);
            } else if (tag.matches()) {
                name = tag.group(1);
                sha256 = tag.group(2);
            } else {
                malformed++;
                continue;
            }
            String file = escaped ? unescape(name) : name;
            if (file == null) {
                malformed++;
                continue;
            }
            entries.add(new Entry(file, sha256.toLowerCase(Locale.ROOT)));
        }
        return new ChecksumList(List.copyOf(entries), malformed);
    }

    /** {@code \\} is a backslash, {@code \n} a newline; anything else after a backslash is malformed (null). */
    private static String unescape(String name) {
        StringBuilder out = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (i + 1 >= name.length()) {
                return null;
            }
            char next = name.charAt(++i);
            if (next == '\\') {
                out.append('\\');
            } else if (next == 'n') {
                out.append('\n');
            } else {
                return null;
            }
        }
        return out.toString();
    }
}
