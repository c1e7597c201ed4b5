package io.atomicfiles.cli;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Writes the shell integration files from the command's own annotations, the same ones its help
 * is made of: the bash/zsh completion script (picocli's {@link AutoComplete}) and one AsciiDoc man
 * page per command (picocli-codegen's {@link ManPageGenerator}), which the build turns into man
 * pages with asciidoctor.
 *
 * <p>Run by the build with picocli-codegen on the class path (it is not in the jar):
 * {@code ShellFiles COMPLETION_SCRIPT MAN_ADOC_FOLDER}. The generators are given the whole
 * command line of {@link Main#commandLine(java.io.InputStream)}, since the commands are added in
 * code, not listed in {@code Main}'s annotation.
 */
public final class ShellFiles {
    private ShellFiles() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: ShellFiles COMPLETION_SCRIPT MAN_ADOC_FOLDER");
        }
        Path completion = Path.of(args[0]);
        Path manPages = Path.of(args[1]);
        CommandLine commandLine = Main.commandLine(new ByteArrayInputStream(new byte[0]));
        Files.createDirectories(completion.toAbsolutePath().getParent());
        Files.writeString(completion, AutoComplete.bash("atomicfiles", commandLine), StandardCharsets.UTF_8);
        Files.createDirectories(manPages);
        int exit = ManPageGenerator.generateManPage(manPages.toFile(), null, new boolean[0], true,
                commandLine.getCommandSpec());
        if (exit != 0) {
            throw new IOException("the man page generator failed with exit code " + exit);
        }
    }
}
