package io.atomicfiles.hadoop;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/** Test helpers to look at files on a cluster filesystem. */
final class HdfsFiles {
    private HdfsFiles() {
    }

    /** Every name under {@code dir} (recursively) starting with a dot: temp, staged and kept files. */
    static List<String> hiddenNames(FileSystem fs, Path dir) throws IOException {
        List<String> hidden = new ArrayList<>();
        if (!fs.exists(dir)) {
            return hidden;
        }
        RemoteIterator<LocatedFileStatus> files = fs.listFiles(dir, true);
        while (files.hasNext()) {
            LocatedFileStatus file = files.next();
            if (file.getPath().getName().startsWith(".")) {
                hidden.add(file.getPath().toString());
            }
        }
        return hidden;
    }

    static String text(FileSystem fs, Path path) throws IOException {
        try (InputStream in = fs.open(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The text of the file, or null when absent. */
    static String textOrNull(FileSystem fs, Path path) throws IOException {
        try (InputStream in = fs.open(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.FileNotFoundException e) {
            return null;
        }
    }

    static List<Path> list(FileSystem fs, Path dir) throws IOException {
        List<Path> paths = new ArrayList<>();
        if (fs.exists(dir)) {
            for (FileStatus status : fs.listStatus(dir)) {
                paths.add(status.getPath());
            }
        }
        return paths;
    }
}
