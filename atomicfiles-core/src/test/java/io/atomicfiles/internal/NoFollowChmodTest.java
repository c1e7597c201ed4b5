package io.atomicfiles.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FileModes#setPermissions} on a name someone swapped for a link: refused, and the file
 * the link names keeps its mode, on every JDK installed here (JDK 25's own "no follow" chmod
 * follows the link), each run as a child JVM on the test class path.
 */
class NoFollowChmodTest {
    @TempDir
    Path dir;

    @Test
    void aLinkIsRefusedAndItsTargetKeepsItsModeOnEveryInstalledJdk() throws Exception {
        List<Path> javas = installedJavas();
        assumeTrue(!javas.isEmpty(), "no JDK found");
        for (Path java : javas) {
            Path folder = Files.createTempDirectory(dir, "jdk");
            Path victim = Files.writeString(folder.resolve("shadow"), "secret");
            Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-------"));
            Path temp = Files.createSymbolicLink(folder.resolve(".app.conf.tmp-x"), victim);
            Path regular = Files.writeString(folder.resolve(".other.tmp-y"), "ours");
            Files.setPosixFilePermissions(regular, PosixFilePermissions.fromString("rw-------"));

            String output = runChild(java, temp, regular);

            assertThat(output).as("%s: the child's report", java)
                    .contains("link: refused").contains("regular: rw-r--r--");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(victim, LinkOption.NOFOLLOW_LINKS)))
                    .as("%s: the mode of the file behind the link", java).isEqualTo("rw-------");
        }
    }

    /** Every {@code bin/java} of a JDK 17 or later under /usr/lib/jvm, and this JVM's. */
    private static List<Path> installedJavas() throws IOException {
        List<Path> javas = new ArrayList<>();
        javas.add(Path.of(System.getProperty("java.home"), "bin", "java"));
        Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (Stream<Path> homes = Files.list(jvms)) {
                homes.map(home -> home.resolve("bin/java")).filter(Files::isExecutable)
                        .filter(java -> !Files.isSymbolicLink(java.getParent().getParent()))
                        .forEach(javas::add);
            }
        }
        return javas;
    }

    private String runChild(Path java, Path link, Path regular) throws Exception {
        Process child = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                Child.class.getName(), link.toString(), regular.toString()).redirectErrorStream(true).start();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("%s exits in time", java).isTrue();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        // A JDK older than the class files (17) cannot run the child: not a JDK this library runs on.
        assumeTrue(!output.contains("UnsupportedClassVersionError"), java + " is older than 17");
        return output;
    }

    /** Calls {@link FileModes#setPermissions} on a link and on a regular file; says what happened. */
    public static final class Child {
        public static void main(String[] args) throws IOException {
            try {
                FileModes.setPermissions(Path.of(args[0]), PosixFilePermissions.fromString("rw-r--r--"));
                System.out.println("link: changed");
            } catch (IOException e) {
                System.out.println("link: refused (" + e + ")");
            }
            FileModes.setPermissions(Path.of(args[1]), PosixFilePermissions.fromString("rw-r--r--"));
            System.out.println("regular: " + PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of(args[1]))));
        }
    }
}
