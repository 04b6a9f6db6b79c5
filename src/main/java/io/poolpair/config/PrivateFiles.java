package io.poolpair.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Local files only this user may read: folders 0700 (data, outbox, quarantine, content) and secret files 0600
 * (keys, the HTTP token), on POSIX file systems; elsewhere the platform's defaults.
 */
public final class PrivateFiles {

    public static final Set<PosixFilePermission> FOLDER = PosixFilePermissions.fromString("rwx------");
    public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private PrivateFiles() {
    }

    static boolean posix(Path path) {
        Path existing = path.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        return existing != null && existing.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    /**
     * Creates {@code folder} and its missing parents 0700; a folder that already exists keeps its permissions
     * (the operator's choice), except that the last one is narrowed to 0700 when poolpair creates it.
     */
    public static Path createFolders(Path folder) throws IOException {
        Path absolute = folder.toAbsolutePath().normalize();
        if (Files.isDirectory(absolute)) {
            return absolute;
        }
        if (!posix(absolute)) {
            return Files.createDirectories(absolute);
        }
        List<Path> missing = new ArrayList<>();
        for (Path p = absolute; p != null && !Files.exists(p, LinkOption.NOFOLLOW_LINKS); p = p.getParent()) {
            missing.add(0, p);
        }
        FileAttribute<Set<PosixFilePermission>> attr = PosixFilePermissions.asFileAttribute(FOLDER);
        for (Path p : missing) {
            try {
                Files.createDirectory(p, attr);
                // the umask may have narrowed the mode further, never widened it; set it exactly
                Files.setPosixFilePermissions(p, FOLDER);
            } catch (FileAlreadyExistsException raced) {
                // another thread or process made it meanwhile
            }
        }
        return absolute;
    }

    /** Writes {@code text} to {@code file} (0600) through a fresh temporary file renamed over it. */
    public static void writeSecret(Path file, String text) throws IOException {
        Path absolute = file.toAbsolutePath().normalize();
        createFolders(absolute.getParent());
        Path temp = absolute.resolveSibling("." + absolute.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            if (posix(absolute)) {
                Files.createFile(temp, PosixFilePermissions.asFileAttribute(FILE));
            } else {
                Files.createFile(temp);
            }
            Files.writeString(temp, text, StandardCharsets.UTF_8, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS);
            Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Creates {@code file} (0600) holding {@code text}; fails with FileAlreadyExistsException when it exists. */
    public static void createSecret(Path file, String text) throws IOException {
        Path absolute = file.toAbsolutePath().normalize();
        createFolders(absolute.getParent());
        if (posix(absolute)) {
            Files.createFile(absolute, PosixFilePermissions.asFileAttribute(FILE));
        } else {
            Files.createFile(absolute);
        }
        try {
            Files.writeString(absolute, text, StandardCharsets.UTF_8, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            Files.deleteIfExists(absolute);
            throw e;
        }
    }

    /** Whether group or others may read {@code file} (false where permissions are not POSIX). */
    public static boolean readableByOthers(Path file) throws IOException {
        if (!posix(file)) {
            return false;
        }
        Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
        return p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ);
    }
}
