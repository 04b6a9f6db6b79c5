package io.poolpair.batch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The sha256 of a batch's {@code manifest.json}: what tells two batches of the same number apart (the importer
 * records it for every batch it applies, and its cookie names the one of its last applied batch).
 */
public final class ManifestDigest {

    private static final int MAX_MANIFEST_BYTES = BatchLimits.MAX_MANIFEST_BYTES;

    private ManifestDigest() {
    }

    public static String of(byte[] manifestJson) {
        return Sha256.of(manifestJson);
    }

    /** The incarnation named by the manifest of a staged zip (this pool's own outbox), if it can be read. */
    public static Optional<String> incarnationOf(Path zip) {
        return manifestBytes(zip).flatMap(json -> {
            try {
                return Optional.ofNullable(Manifest.fromJson(json).incarnation());
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        });
    }

    /** The digest of the manifest in a staged zip (this pool's own outbox), if the zip is there and holds one. */
    public static Optional<String> ofZip(Path zip) {
        return manifestBytes(zip).map(ManifestDigest::of);
    }

    private static Optional<byte[]> manifestBytes(Path zip) {
        if (!Files.isRegularFile(zip)) {
            return Optional.empty();
        }
        try (ZipFile file = new ZipFile(zip.toFile())) {
            ZipEntry entry = file.getEntry(Manifest.FILE);
            if (entry == null) {
                return Optional.empty();
            }
            try (InputStream in = file.getInputStream(entry)) {
                byte[] json = in.readNBytes(MAX_MANIFEST_BYTES + 1);
                return json.length > MAX_MANIFEST_BYTES ? Optional.empty() : Optional.of(json);
            }
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
