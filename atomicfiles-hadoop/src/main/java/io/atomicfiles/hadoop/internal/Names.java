package io.atomicfiles.hadoop.internal;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.apache.hadoop.fs.Path;

/**
 * The hidden names the library creates beside a user's file, and how to tell them apart.
 *
 * <p>They start with a dot, which also hides them from MapReduce and Spark input listings:
 * <ul>
 *   <li>{@code .NAME.tmp-<random>}: the temp file of a single write;</li>
 *   <li>{@code .NAME.backup.tmp-<random>}: the copy that becomes {@code NAME.backup};</li>
 *   <li>{@code .NAME.tx-<tag>-<op>.<role>}: a transaction's staged file, keep or trash.</li>
 * </ul>
 * Random parts come from {@link SecureRandom}: a name nobody can predict cannot be planted.
 */
public final class Names {
    /** Long names are cut so the hidden name stays within HDFS's and POSIX's 255-byte limit. */
    private static final int MAX_NAME_BYTES = 150;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Names() {
    }

    /** 16 random hex digits. */
    public static String random() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** {@code .NAME.tmp-<random>} beside {@code target}. */
    public static Path temp(Path target) {
        return new Path(target.getParent(), "." + shortened(target.getName()) + ".tmp-" + random());
    }

    /** Whether a file name is a single write's temp file. */
    public static boolean isTemp(String name) {
        return name.startsWith(".") && name.matches("\\..*\\.tmp-[0-9a-f]{16}");
    }

    private static final java.util.regex.Pattern TX_NAME =
            java.util.regex.Pattern.compile("\\..*\\.tx-([0-9a-f]{10})-[0-9]+\\.[a-z-]+");

    /** The transaction tag of a transaction's hidden file name, or null for any other name. */
    public static String transactionTag(String name) {
        java.util.regex.Matcher matcher = TX_NAME.matcher(name);
        return matcher.matches() ? matcher.group(1) : null;
    }

    /** {@code NAME.backup}. */
    public static Path backupOf(Path target) {
        return new Path(target.getParent(), target.getName() + ".backup");
    }

    /** {@code NAME.deleted_backup}. */
    public static Path deletedBackupOf(Path target) {
        return new Path(target.getParent(), target.getName() + ".deleted_backup");
    }

    /** {@code .NAME.tx-<tag>-<op>.<role>} beside {@code file}. */
    public static Path hidden(Path file, String tag, int op, String role) {
        return new Path(file.getParent(), "." + shortened(file.getName()) + ".tx-" + tag + "-" + op + "." + role);
    }

    /** The user's name, cut by bytes (UTF-8), never inside a character. */
    private static String shortened(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_NAME_BYTES) {
            return name;
        }
        int end = name.length();
        while (name.substring(0, end).getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            end--;
        }
        if (end > 0 && Character.isHighSurrogate(name.charAt(end - 1))) {
            end--;
        }
        return name.substring(0, end);
    }

    /**
     * A path for the messages and the {@code path} of exceptions from core, which take a
     * {@code java.nio.file.Path}: the path part of the cluster path ({@code /data/app.json}).
     */
    public static java.nio.file.Path display(Path path) {
        return java.nio.file.Paths.get(path.toUri().getPath());
    }
}
