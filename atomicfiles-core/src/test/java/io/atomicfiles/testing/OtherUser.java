package io.atomicfiles.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A second local user, for tests of what another user can do to our files (plant a link, a
 * lock file, a journal) and of whether two users' writers exclude each other.
 *
 * <pre>{@code
 * OtherUser mallory = OtherUser.getOrSkip("af-mallory");     // useradd once, as root
 * Path shared = OtherUser.stickyShared(dir.resolve("shared")); // like /tmp: 1777
 * try (ChildJvm child = ChildJvm.builder(Planter.class).asUser(mallory).args(shared.toString()).start()) {
 *     ...
 * }
 * mallory.run("ln", "-s", "/etc/shadow", shared.resolve("app.json").toString());
 * }</pre>
 *
 * <p>Creating a user needs root and {@code useradd}; running as one needs {@code setpriv}
 * (util-linux). Where either is missing, {@link #getOrSkip} prints the reason and aborts the
 * test (JUnit reports it as skipped). CI runs as root and creates the users.
 *
 * <p>The user is created without a home folder, as a system user ({@code useradd -r -M}), and
 * kept after the tests (creating it again in every run would only race between test JVMs).
 * Its child JVMs cannot read the test classpath where it lies in root's home (the local Maven
 * repository in {@code /root/.m2}), so {@link #classPath()} is a world-readable copy of it in
 * the system temp folder, packed once per test JVM.
 */
public final class OtherUser {
    private static final ConcurrentHashMap<String, OtherUser> USERS = new ConcurrentHashMap<>();
    private static String readableClassPath;

    private final String name;
    private final int uid;
    private final int gid;

    private OtherUser(String name, int uid, int gid) {
        this.name = name;
        this.uid = uid;
        this.gid = gid;
    }

    /**
     * The user {@code name} (created when missing), or the calling test is skipped with the
     * reason printed. Names should start with {@code af-} so they are recognisably ours.
     */
    public static OtherUser getOrSkip(String name) {
        OtherUser user = USERS.computeIfAbsent(name, OtherUser::createOrNull);
        if (user == null) {
            String reason = "skipped: cannot create or use a second user '" + name
                    + "' (needs root, useradd and setpriv): " + whyNot();
            System.out.println(reason);
            Assumptions.abort(reason);
        }
        return user;
    }

    public String name() {
        return name;
    }

    public int uid() {
        return uid;
    }

    public int gid() {
        return gid;
    }

    /**
     * Runs {@code command} as this user and returns its exit code; its output is returned by
     * {@link Result#output()} (standard output and error, merged).
     */
    public Result run(String... command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(commandPrefix());
        full.addAll(List.of(command));
        return exec(full);
    }

    /** Like {@link #run}, failing the test when the command does not exit with 0. */
    public String runOrFail(String... command) throws IOException, InterruptedException {
        Result result = run(command);
        if (result.exitCode() != 0) {
            throw new IllegalStateException("as " + name + ": " + String.join(" ", command) + " exited with "
                    + result.exitCode() + ": " + result.output());
        }
        return result.output();
    }

    /** The prefix that runs a command as this user, with this user's group only. */
    public List<String> commandPrefix() {
        return List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups", "--");
    }

    /** Makes {@code path} (not following a link) owned by this user and its group. */
    public void chown(Path path) throws IOException, InterruptedException {
        Result result = exec(List.of("chown", "-h", uid + ":" + gid, path.toString()));
        if (result.exitCode() != 0) {
            throw new IOException("chown " + path + ": " + result.output());
        }
    }

    /**
     * Creates {@code folder} (and its parents) as a sticky, world-writable folder, as
     * {@code /tmp} is (mode 1777), and opens every parent up to the file system's root for
     * traversal by others (a JUnit temp folder is owner-only).
     */
    public static Path stickyShared(Path folder) throws IOException {
        return shared(folder, "1777");
    }

    /** Creates {@code folder} with {@code octalMode}, its parents traversable by others. */
    public static Path shared(Path folder, String octalMode) throws IOException {
        Files.createDirectories(folder);
        for (Path p = folder.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
            if (p.startsWith(System.getProperty("java.io.tmpdir")) || p.startsWith(Path.of(
                    System.getProperty("basedir", ".")).toAbsolutePath())) {
                addTraverse(p);
            }
        }
        chmod(folder, octalMode);
        return folder;
    }

    /** {@code chmod MODE path}, with a mode such as {@code 1777} or {@code 0640}. */
    public static void chmod(Path path, String octalMode) throws IOException {
        Result result;
        try {
            result = exec(List.of("chmod", octalMode, path.toString()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (result.exitCode() != 0) {
            throw new IOException("chmod " + octalMode + " " + path + ": " + result.output());
        }
    }

    private static void addTraverse(Path folder) throws IOException {
        var permissions = Files.getPosixFilePermissions(folder);
        permissions.add(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE);
        permissions.add(java.nio.file.attribute.PosixFilePermission.GROUP_EXECUTE);
        Files.setPosixFilePermissions(folder, permissions);
    }

    /**
     * The test classpath, readable by every user: jars and class folders packed into jars in a
     * folder of the system temp folder (mode 755, files 644).
     */
    public static synchronized String classPath() throws IOException {
        if (readableClassPath == null) {
            Path folder = Files.createTempDirectory("atomicfiles-other-user-cp-");
            Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
            List<String> entries = new ArrayList<>();
            int n = 0;
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                Path path = Path.of(entry);
                if (entry.isEmpty() || !Files.exists(path)) {
                    continue;
                }
                Path copy = folder.resolve((n++) + "-" + path.getFileName() + (Files.isDirectory(path) ? ".jar" : ""));
                if (Files.isDirectory(path)) {
                    packFolder(path, copy);
                } else {
                    Files.copy(path, copy);
                }
                Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
                entries.add(copy.toString());
            }
            readableClassPath = String.join(File.pathSeparator, entries);
        }
        return readableClassPath;
    }

    private static void packFolder(Path folder, Path jar) throws IOException {
        Set<String> packed = new HashSet<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(folder)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
            for (Path f : files) {
                String name = folder.relativize(f).toString().replace(File.separatorChar, '/');
                if (packed.add(name)) {
                    out.putNextEntry(new JarEntry(name));
                    Files.copy(f, out);
                    out.closeEntry();
                }
            }
        }
    }

    /** The exit code and merged output of a command. */
    public record Result(int exitCode, String output) {
    }

    private static OtherUser createOrNull(String name) {
        try {
            if (!"root".equals(System.getProperty("user.name"))) {
                return null;
            }
            Result id = exec(List.of("id", "-u", name));
            if (id.exitCode() != 0) {
                Result added = exec(List.of("useradd", "-r", "-M", "-s", "/usr/sbin/nologin", name));
                // Another test JVM may have created it meanwhile (exit 9: the name is taken).
                if (added.exitCode() != 0 && added.exitCode() != 9) {
                    return null;
                }
                id = exec(List.of("id", "-u", name));
            }
            Result gid = exec(List.of("id", "-g", name));
            if (id.exitCode() != 0 || gid.exitCode() != 0) {
                return null;
            }
            if (exec(List.of("setpriv", "--version")).exitCode() != 0) {
                return null;
            }
            return new OtherUser(name, Integer.parseInt(id.output().strip()), Integer.parseInt(gid.output().strip()));
        } catch (IOException | RuntimeException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static String whyNot() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "the tests run as " + System.getProperty("user.name") + ", not root";
        }
        return "useradd, id or setpriv failed or is missing";
    }

    private static Result exec(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output;
        try (InputStream in = process.getInputStream()) {
            output = in.readAllBytes();
        }
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish within 60 s");
        }
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
