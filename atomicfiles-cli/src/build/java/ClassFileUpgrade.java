import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;

/**
 * A build step of atomicfiles-cli (run by the POM after the shade plugin, before the
 * class-data-sharing archive is made): raises the class files of one package in the shaded jar
 * from class-file version 49 (Java 5) to 52 (Java 8), adding the stack map frames that version
 * requires, computed by ASM. Their instructions stay as they are.
 *
 * <p>Why: picocli ships Java 5 class files. The JVM archives such a class in the CDS archive
 * unverified, because the verifier for versions below 50 (type inference) cannot record its
 * result, so every run of the command verified the ~140 picocli classes it loads again, with
 * the slow verifier: about a tenth of the main thread's time at start-up (async-profiler,
 * BENCHMARKS.md "Start-up of the command"). A version-52 class with stack map frames is checked
 * by the fast type-checking verifier when the archive is made, and comes from the archive
 * verified and linked.
 *
 * <p>Run as a single source file: {@code java -cp asm.jar ClassFileUpgrade.java JAR PREFIX}.
 * It replaces JAR (a temp file beside it, forced, renamed over it: a build stopped halfway
 * leaves the old jar, never half of one), adds a notice of the change under META-INF (picocli's
 * Apache License asks that changed files say so), and then checks every class it changed by
 * loading it from the new jar and having the JVM verify it: a frame ASM got wrong fails the
 * build here, not a user's command later.
 */
public class ClassFileUpgrade {
    private static final int JAVA_6 = 50;

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: ClassFileUpgrade JAR PACKAGE_PREFIX (e.g. picocli/)");
        }
        Path jar = Path.of(args[0]).toAbsolutePath();
        String prefix = args[1];
        Path temp = jar.resolveSibling(jar.getFileName() + ".upgrading");
        List<String> upgraded;
        try (URLClassLoader original = new URLClassLoader(new URL[] {jar.toUri().toURL()},
                ClassLoader.getPlatformClassLoader())) {
            upgraded = copyUpgrading(jar, temp, prefix, original);
        }
        if (upgraded.isEmpty()) {
            Files.delete(temp);
            System.out.println("ClassFileUpgrade: no class file under " + prefix + " older than Java 6 in " + jar);
            return;
        }
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(temp, jar, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        verifyAll(jar, upgraded);
        System.out.println("ClassFileUpgrade: " + upgraded.size() + " class files under " + prefix
                + " raised to version 52 with stack map frames, and verified, in " + jar);
    }

    /** Copies every entry of {@code jar} into {@code temp}, upgrading old class files under {@code prefix}. */
    private static List<String> copyUpgrading(Path jar, Path temp, String prefix, ClassLoader original)
            throws IOException {
        List<String> upgraded = new ArrayList<>();
        try (InputStream in = Files.newInputStream(jar);
                ZipInputStream zipIn = new ZipInputStream(in);
                OutputStream out = Files.newOutputStream(temp);
                ZipOutputStream zipOut = new ZipOutputStream(out)) {
            for (ZipEntry entry; (entry = zipIn.getNextEntry()) != null; ) {
                byte[] bytes = zipIn.readAllBytes();
                String name = entry.getName();
                if (name.startsWith(prefix) && name.endsWith(".class") && majorVersion(bytes) < JAVA_6) {
                    bytes = upgrade(bytes, original);
                    upgraded.add(name.substring(0, name.length() - ".class".length()).replace('/', '.'));
                }
                ZipEntry copy = new ZipEntry(name);
                copy.setTime(entry.getTime());
                zipOut.putNextEntry(copy);
                zipOut.write(bytes);
                zipOut.closeEntry();
            }
            if (!upgraded.isEmpty()) {
                ZipEntry notice = new ZipEntry("META-INF/atomicfiles/CHANGED-CLASS-FILES.txt");
                zipOut.putNextEntry(notice);
                zipOut.write(notice(prefix, upgraded.size()).getBytes(StandardCharsets.UTF_8));
                zipOut.closeEntry();
            }
        }
        return upgraded;
    }

    private static int majorVersion(byte[] classFile) {
        return (classFile[6] & 0xff) << 8 | (classFile[7] & 0xff);
    }

    private static byte[] upgrade(byte[] classFile, ClassLoader original) {
        // COMPUTE_FRAMES: ASM recomputes max stack/locals and every frame from the instructions;
        // where two types meet it asks for their common superclass, loaded from the original jar.
        ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_FRAMES) {
            @Override
            protected ClassLoader getClassLoader() {
                return original;
            }
        };
        ClassVisitor toJava8 = new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public void visit(int version, int access, String name, String signature, String superName,
                    String[] interfaces) {
                super.visit(Opcodes.V1_8, access, name, signature, superName, interfaces);
            }
        };
        // A class with jsr/ret (not allowed from version 51 on) makes ASM throw here: the build fails.
        new ClassReader(classFile).accept(toJava8, 0);
        return writer.toByteArray();
    }

    /**
     * Loads each upgraded class from the new jar and links it (getDeclaredMethods links the class
     * first), which runs the JVM's verifier on it: a VerifyError fails the build.
     */
    private static void verifyAll(Path jar, List<String> classNames) throws Exception {
        try (URLClassLoader upgraded = new URLClassLoader(new URL[] {jar.toUri().toURL()},
                ClassLoader.getPlatformClassLoader())) {
            for (String className : classNames) {
                Class.forName(className, false, upgraded).getDeclaredMethods();
            }
        }
    }

    private static String notice(String prefix, int count) {
        return "The " + count + " class files under " + prefix + " in this jar were changed by the atomicfiles\n"
                + "build (atomicfiles-cli/src/build/java/ClassFileUpgrade.java): their class-file version was\n"
                + "raised from 49 (Java 5) to 52 (Java 8) and stack map frames computed by ASM were added, so\n"
                + "that the JVM verifies them once, when the class-data-sharing archive is made, instead of on\n"
                + "every run. Their instructions, names and members are unchanged.\n";
    }
}
