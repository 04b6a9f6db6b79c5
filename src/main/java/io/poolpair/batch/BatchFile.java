package io.poolpair.batch;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/** Reading the signed manifest of a batch zip, shared by the verifier and the applier. */
public final class BatchFile {

    static final int MAX_MANIFEST_BYTES = BatchLimits.MAX_MANIFEST_BYTES;

    private BatchFile() {
    }

    /** A verified manifest and the sha256 of its bytes (what tells two batches of the same number apart). */
    public record Signed(Manifest manifest, String sha256) {
    }

    public static Manifest readSignedManifest(ZipFile zip, Signer signer) throws BatchRejectedException {
        return readSigned(zip, signer).manifest();
    }

    public static Signed readSigned(ZipFile zip, Signer signer) throws BatchRejectedException {
        byte[] json = readSmallEntry(zip, Manifest.FILE);
        byte[] sig = readSmallEntry(zip, Manifest.SIGNATURE);
        String signature = new String(sig, java.nio.charset.StandardCharsets.US_ASCII);
        if (!signer.verify(Signer.Kind.BATCH_MANIFEST, json, signature)) {
            if (signer.isUnlabelled(json, signature)) {
                throw new BatchRejectedException("manifest.sig is the pair's signature without a type label: the peer runs"
                        + " a poolpair older than typed signatures; upgrade both pools");
            }
            throw new BatchRejectedException("manifest.sig is not a batch manifest's signature under the pair's key"
                    + " (poolpair.key): forged, signed with another key, or another kind of signed object (a cookie or a"
                    + " failover notice)");
        }
        try {
            return new Signed(Manifest.fromJson(json), ManifestDigest.of(json));
        } catch (IOException e) {
            throw new BatchRejectedException("manifest.json is not a valid manifest: " + e.getMessage(), e);
        }
    }

    /**
     * The signed manifest of a zip that must not be opened as a {@link ZipFile} (its end record claims more than may be
     * loaded): read as a stream of local entries, at most {@code maxBytes} decompressed in all; empty when it is not
     * found within that, or its signature does not hold. Used only to tell whether the sender signed what was refused.
     */
    public static Optional<Manifest> signedManifestOf(java.nio.file.Path file, Signer signer, long maxBytes) {
        byte[] json = null;
        byte[] sig = null;
        long read = 0;
        try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(new java.io.BufferedInputStream(
                java.nio.file.Files.newInputStream(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)))) {
            byte[] skip = new byte[1 << 16];
            for (ZipEntry entry = in.getNextEntry(); entry != null && (json == null || sig == null); entry = in.getNextEntry()) {
                if (Manifest.FILE.equals(entry.getName()) || Manifest.SIGNATURE.equals(entry.getName())) {
                    byte[] data = in.readNBytes(MAX_MANIFEST_BYTES + 1);
                    if (data.length > MAX_MANIFEST_BYTES) {
                        return Optional.empty();
                    }
                    read += data.length;
                    if (Manifest.FILE.equals(entry.getName())) {
                        json = data;
                    } else {
                        sig = data;
                    }
                    continue;
                }
                for (int n = in.read(skip); n > 0; n = in.read(skip)) {
                    read += n;
                    if (read > maxBytes) {
                        return Optional.empty();
                    }
                }
            }
            if (json == null || sig == null
                    || !signer.verify(Signer.Kind.BATCH_MANIFEST, json, new String(sig, java.nio.charset.StandardCharsets.US_ASCII))) {
                return Optional.empty();
            }
            return Optional.of(Manifest.fromJson(json));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    public static byte[] readSmallEntry(ZipFile zip, String name) throws BatchRejectedException {
        ZipEntry entry = zip.getEntry(name);
        if (entry == null) {
            throw new BatchRejectedException("the zip has no " + name);
        }
        if (entry.getSize() > MAX_MANIFEST_BYTES) {
            throw new BatchRejectedException(name + " is larger than " + MAX_MANIFEST_BYTES + " bytes");
        }
        try (InputStream in = zip.getInputStream(entry)) {
            byte[] data = in.readNBytes(MAX_MANIFEST_BYTES + 1);
            if (data.length > MAX_MANIFEST_BYTES) {
                throw new BatchRejectedException(name + " is larger than " + MAX_MANIFEST_BYTES + " bytes");
            }
            return data;
        } catch (IOException e) {
            if (!isFormatProblem(e)) {
                throw new java.io.UncheckedIOException("cannot read " + name + " from the share (retried at the next poll): "
                        + e.getMessage(), e);
            }
            throw new BatchRejectedException("cannot read " + name + ": " + e.getMessage(), e);
        }
    }

    /** True when an entry name is relative and stays inside the zip: no absolute path, drive, '..', '.' or empty segment. */
    public static boolean isSafeEntryName(String name) {
        if (name.isEmpty() || name.startsWith("/") || name.contains("\\") || name.contains(":") || name.indexOf('\0') >= 0) {
            return false;
        }
        for (String segment : name.split("/", -1)) {
            if (segment.isEmpty() || segment.equals("..") || segment.equals(".")) {
                return false;
            }
        }
        return true;
    }

    /**
     * True when an exception reading a batch says that its bytes are wrong (not a zip, a corrupt or truncated
     * entry, bytes that fail decryption or are not UTF-8), so the file is quarantined; false for a failure to
     * read the share (an I/O error, a file replaced or removed meanwhile), which is retried at the next poll.
     */
    public static boolean isFormatProblem(IOException e) {
        return e instanceof java.util.zip.ZipException || e instanceof java.io.EOFException
                || e instanceof java.nio.charset.CharacterCodingException
                || e instanceof com.fasterxml.jackson.core.JacksonException
                || e.getCause() instanceof java.security.GeneralSecurityException
                || e.getCause() instanceof java.util.zip.DataFormatException;
    }
}
