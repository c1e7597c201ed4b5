package io.atomicfiles.behaviour;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.Durability;
import io.atomicfiles.AtomicWriter;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.testing.ChildSide;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A child JVM's single write, for tests of what another user or a killed writer does:
 * <ul>
 *   <li>{@code write PATH TEXT backup|no-backup}: writes TEXT, then says {@code wrote}, or
 *       {@code failed: <message>};</li>
 *   <li>{@code move SOURCE TARGET DURABILITY}: moves, then says {@code moved}, or
 *       {@code failed: <message>};</li>
 *   <li>{@code hold PATH BYTES}: opens a writer, writes BYTES bytes, says {@code ready}, and waits
 *       (to be killed, or told to go: then it commits and says {@code committed}).</li>
 * </ul>
 */
public final class WriterChild {
    private WriterChild() {
    }

    public static void main(String[] args) throws IOException {
        Path path = Path.of(args[1]);
        switch (args[0]) {
            case "write" -> {
                WriteOptions options = WriteOptions.builder().backup(args[3].equals("backup")).showProgress(false)
                        .build();
                try {
                    AtomicFiles.writeText(path, args[2], options);
                    ChildSide.say("wrote");
                } catch (IOException | RuntimeException e) {
                    ChildSide.say("failed: " + e.getMessage());
                }
            }
            case "move" -> {
                WriteOptions options = WriteOptions.builder().durability(Durability.valueOf(args[3]))
                        .showProgress(false).build();
                try {
                    AtomicFiles.move(path, Path.of(args[2]), options);
                    ChildSide.say("moved");
                } catch (IOException | RuntimeException e) {
                    ChildSide.say("failed: " + e.getMessage());
                }
            }
            case "hold" -> {
                try (AtomicWriter writer = AtomicWriter.open(path, WriteOptions.builder().showProgress(false).build())) {
                    writer.writeBytes(new byte[Integer.parseInt(args[2])]);
                    ChildSide.ready();
                    ChildSide.awaitGo();
                    writer.commit();
                    ChildSide.say("committed");
                }
            }
            default -> throw new IllegalArgumentException("unknown: " + args[0]);
        }
    }
}
