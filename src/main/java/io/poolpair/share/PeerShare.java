package io.poolpair.share;

import io.poolpair.config.ConfigException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * Where the paired pool's share is reached, chosen by the value of {@code poolpair.share.peer} alone: a
 * folder (or {@code file:} URI) for a share mounted here, or {@code sftp://user@host:port/path?options} for a
 * share reached over SFTP (Camel's sftp endpoint: the path is relative to the SFTP login folder; its options,
 * e.g. {@code privateKeyFile} and {@code knownHostsFile}, go in the query). {@link #endpoint()} is the Camel endpoint the routes write to.
 */
public record PeerShare(String endpoint, Path folder) {

    /** Parses the value of {@code key}; {@code resolve} makes a folder absolute. */
    public static PeerShare parse(String key, String value, Function<String, Path> resolve) {
        String v = value.trim();
        if (v.startsWith("sftp:")) {
            URI uri;
            try {
                uri = new URI(v);
            } catch (URISyntaxException e) {
                throw new ConfigException(key + " = " + v + ": not a valid URI (" + e.getMessage() + ")", e);
            }
            if (uri.getHost() == null || uri.getPath() == null || uri.getPath().replace("/", "").isEmpty()) {
                throw new ConfigException(key + " = " + v + ": name the host and the share's folder, e.g."
                        + " sftp://poolA@backup-b.example:22/poolB-share?privateKeyFile=/etc/poolpair/id_ed25519");
            }
            return new PeerShare(v, null);
        }
        if (v.startsWith("smb:")) {
            throw new ConfigException(key + " = " + v + ": smb: shares need camel-smb, which does not resolve for"
                    + " Camel 4.18; mount the SMB share (mount -t cifs) and give its folder, or reach the peer over sftp:");
        }
        if (v.startsWith("file:")) {
            v = v.substring("file:".length());
        } else if (v.matches("^[a-z][a-z0-9+.-]*:.*") && !v.matches("^[A-Za-z]:[\\\\/].*")) {
            throw new ConfigException(key + " = " + v + ": a peer share is a folder, a file: URI or an sftp:// URI");
        }
        Path folder = resolve.apply(v);
        return new PeerShare("file:" + folder, folder);
    }

    /** True when the share is reached through a transport (not a folder of this machine). */
    public boolean remote() {
        return folder == null;
    }
}
