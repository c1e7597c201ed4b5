package io.atomicfiles.internal;

import java.nio.file.Path;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The hidden names a transaction gives its files beside the user's: {@code .NAME.tx-<tag>-<op>.<role>}.
 *
 * <p>Two rules make them safe to put in the user's folders:
 *
 * <ul>
 *   <li>The tag is random (64 bits from {@link UnguessableBytes}, recorded in the journal), so
 *       nobody can plant a file, folder or link at a name a transaction is about to create
 *       (a planted name would fail the transaction, or worse, be written through).</li>
 *   <li>No role is a suffix users match on ({@code .backup}, {@code .deleted_backup},
 *       {@code .tmp}, {@code .bak}, {@code .old}): a hidden name never falls under a cleanup
 *       glob such as {@code *.backup}. {@link #isTransactionName} lets every cleanup skip them
 *       besides, including the names of journals written before this rule (version 1, whose
 *       keep that was to become the backup ended in {@code .backup}).</li>
 * </ul>
 */
public final class TxNames {
    /** Characters of a file name kept in its hidden names. */
    public static final int MAX_NAME_CHARS = 120;
    private static final int TAG_BYTES = 8;
    /** Any transaction's hidden name, of any journal version (version 1 tags were 10 hex digits). */
    private static final Pattern ANY = Pattern.compile("\\..+\\.tx-[0-9a-f]{10,32}-[0-9]+\\.[a-z]+");

    private TxNames() {
    }

    /** A new random tag: 16 hex digits. */
    public static String newTag() {
        byte[] bytes = new byte[TAG_BYTES];
        UnguessableBytes.fill(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** {@code .NAME.tx-<tag>-<op>.<role>} beside {@code file}, NAME cut to {@link #MAX_NAME_CHARS}. */
    public static Path of(Path file, String tag, int op, String role) {
        String name = file.getFileName().toString();
        if (name.length() > MAX_NAME_CHARS) {
            name = name.substring(0, MAX_NAME_CHARS);
        }
        return file.resolveSibling("." + name + ".tx-" + tag + "-" + op + "." + role);
    }

    /** Whether {@code fileName} is a hidden name of some transaction: no cleanup of the user's may touch it. */
    public static boolean isTransactionName(String fileName) {
        return ANY.matcher(fileName).matches();
    }
}
