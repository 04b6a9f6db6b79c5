package io.poolpair.share;

import io.poolpair.config.ConfigException;
import io.poolpair.config.PoolConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where the paired pool's share is reached, chosen by the value of {@code poolpair.share.peer} alone: a
 * folder (or {@code file:} URI) for a share mounted here, or a URI of a remote share written to through a
 * Camel endpoint of its own scheme:
 * <ul>
 * <li>{@code sftp://user@host:port/path?options} (camel-ftp's sftp endpoint: the path is relative to the SFTP
 * login folder; options such as {@code privateKeyFile} and {@code knownHostsFile} go in the query);</li>
 * <li>{@code smb://host:port/shareName[/path]?username=..&password=..} (camel-smb: the first path segment is the
 * SMB share's name, the rest a folder inside it).</li>
 * </ul>
 * {@link #endpoint()} is the Camel endpoint the routes write to.
 */
public record PeerShare(String endpoint, Path folder) {

    /** A transport to a remote share: its URI scheme, an example value, and the query options it needs. */
    private enum Transport {
        SFTP("sftp", "sftp://poolA@backup-b.example:22/poolB-share?privateKeyFile=/etc/poolpair/id_ed25519"
                + "&strictHostKeyChecking=yes&knownHostsFile=/etc/poolpair/known_hosts"),
        SMB("smb", "smb://backup-b.example:445/poolB-share?username=poolA&password=RAW(secret)",
                "username", "password");

        final String scheme;
        final String example;
        final List<String> requiredOptions;

        Transport(String scheme, String example, String... requiredOptions) {
            this.scheme = scheme;
            this.example = example;
            this.requiredOptions = List.of(requiredOptions);
        }
    }

    /**
     * The peer's share of a configuration: a folder of this machine, or a remote share (sftp://...). An sftp:// share
     * must check the server's host key unless {@code poolpair.share.insecure-skip-host-key-check = true}.
     */
    public static PeerShare of(PoolConfig config) {
        PeerShare peer = parse("poolpair.share.peer", config.peerShareValue(), v -> Path.of(v).toAbsolutePath().normalize());
        if (peer.remote() && !config.shareInsecureSkipHostKeyCheck()) {
            String problem = peer.hostKeyCheckProblem();
            if (problem != null) {
                throw new ConfigException("poolpair.share.peer = " + peer.endpoint() + ": " + problem + " (or set"
                        + " poolpair.share.insecure-skip-host-key-check = true to accept any host key)");
            }
        }
        return peer;
    }

    /**
     * Everything Camel needs as properties: the configuration's ({@link PoolConfig#camelProperties()}) and the peer
     * share's. A remote share's secrets go in properties of their own ({@code poolpair.share.peer.password}, ...),
     * which Camel masks when it logs them; the URIs refer to them by placeholder.
     */
    public static Properties camelProperties(PoolConfig config) {
        Properties props = config.camelProperties();
        PeerShare peer = of(config);
        String endpoint = peer.endpointWithSecretPlaceholders("poolpair.share.peer.");
        peer.secrets("poolpair.share.peer.").forEach(props::setProperty);
        props.setProperty("poolpair.share.peer", peer.remote() ? endpoint : peer.folder().toString());
        props.setProperty("poolpair.share.peer-endpoint", endpoint);
        return props;
    }

    /** The peer's share as a folder of this machine; fails for a remote share. */
    public Path localFolder() {
        if (remote()) {
            throw new ConfigException("poolpair.share.peer = " + endpoint + " is not a folder of this machine");
        }
        return folder;
    }

    /** Parses the value of {@code key}; {@code resolve} makes a folder absolute. */
    public static PeerShare parse(String key, String value, Function<String, Path> resolve) {
        String v = value.trim();
        for (Transport transport : Transport.values()) {
            if (v.startsWith(transport.scheme + ":")) {
                return remote(key, v, transport);
            }
        }
        if (v.startsWith("file:")) {
            v = v.substring("file:".length());
        } else if (v.matches("^[a-z][a-z0-9+.-]*:.*") && !v.matches("^[A-Za-z]:[\\\\/].*")) {
            throw new ConfigException(key + " = " + v + ": a peer share is a folder, a file: URI, an sftp:// URI"
                    + " or an smb:// URI");
        }
        Path folder = resolve.apply(v);
        return new PeerShare("file:" + folder, folder);
    }

    /**
     * A remote share: the host, a folder (for smb: the share's name) and the transport's required options
     * must be given. Camel's own {@code smb:host:port/share} form (without {@code //}) is taken as well.
     */
    private static PeerShare remote(String key, String value, Transport transport) {
        String prefix = transport.scheme + ":";
        String hierarchical = value.startsWith(prefix + "//") ? value : prefix + "//" + value.substring(prefix.length());
        URI uri;
        try {
            uri = new URI(hierarchical);
        } catch (URISyntaxException e) {
            throw new ConfigException(key + " = " + value + ": not a valid URI (" + e.getMessage() + ")", e);
        }
        if (uri.getHost() == null || uri.getPath() == null || uri.getPath().replace("/", "").isEmpty()) {
            throw new ConfigException(key + " = " + value + ": name the host and the share's folder, e.g. "
                    + transport.example);
        }
        List<String> options = uri.getRawQuery() == null ? List.of()
                : Arrays.stream(uri.getRawQuery().split("&")).map(o -> o.split("=", 2)[0]).toList();
        for (String required : transport.requiredOptions) {
            if (!options.contains(required)) {
                throw new ConfigException(key + " = " + value + ": an " + transport.scheme + ": share needs the option "
                        + required + "= in its query, e.g. " + transport.example);
            }
        }
        return new PeerShare(value, null);
    }

    /** A secret option of a share URI and its value (plain, or Camel's {@code RAW(...)}). */
    private static final Pattern SECRET_OPTION = Pattern.compile(
            "([?&])(password|privateKeyPassphrase|privateKey)=(RAW\\([^)]*\\)|RAW\\{[^}]*\\}|[^&]*)", Pattern.CASE_INSENSITIVE);
    /** The password in a URI's user info ({@code sftp://user:secret@host}): group 1 up to the user, group 2 the password. */
    private static final Pattern USER_INFO_PASSWORD = Pattern.compile("^([a-z][a-z0-9+.-]*://[^/:@?#]*):([^@/?#]*)@",
            Pattern.CASE_INSENSITIVE);

    /**
     * The endpoint with the value of each secret option ({@code password=}, {@code privateKeyPassphrase=})
     * replaced by the property placeholder {@code {{<prefix>password}}} ({@code {{<prefix>passphrase}}}), so
     * that Camel, which logs endpoint URIs and property values but masks properties whose last name segment is
     * {@code password} or {@code passphrase}, never shows the secret.
     */
    public String endpointWithSecretPlaceholders(String prefix) {
        String uri = withoutUserInfoPassword();
        Matcher m = SECRET_OPTION.matcher(uri);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + m.group(2) + "={{" + prefix + secretName(m.group(2)) + "}}"));
        }
        return m.appendTail(out).toString();
    }

    /**
     * The endpoint with a user-info password ({@code sftp://user:secret@host}) moved into a {@code password} option, so
     * that it gets a placeholder like the others: Camel logs its properties at start-up, masking only those whose name
     * says they are secret. Unchanged when the URI has no such password or already has a {@code password} option.
     */
    private String withoutUserInfoPassword() {
        Matcher userInfo = USER_INFO_PASSWORD.matcher(endpoint);
        if (!userInfo.find() || SECRET_OPTION.matcher(endpoint).results().anyMatch(r -> r.group(2).equalsIgnoreCase("password"))) {
            return endpoint;
        }
        String password = java.net.URLDecoder.decode(userInfo.group(2).replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
        String raw = password.contains(")") ? "RAW{" + password + "}" : "RAW(" + password + ")";
        String rest = endpoint.substring(userInfo.end());
        return userInfo.group(1) + "@" + rest + (rest.contains("?") ? "&" : "?") + "password=" + raw;
    }

    /** The property name of a secret option: one Camel masks ({@code password}, {@code passphrase}, {@code privateKey}). */
    private static String secretName(String option) {
        return option.equalsIgnoreCase("password") ? "password" : option.equalsIgnoreCase("privateKey") ? "privateKey"
                : "passphrase";
    }

    /** The values of the placeholders of {@link #endpointWithSecretPlaceholders}, by property name. */
    public Map<String, String> secrets(String prefix) {
        Map<String, String> secrets = new LinkedHashMap<>();
        Matcher m = SECRET_OPTION.matcher(withoutUserInfoPassword());
        while (m.find()) {
            secrets.put(prefix + secretName(m.group(2)), m.group(3));
        }
        return secrets;
    }

    /**
     * Why an sftp:// share would accept a host key it cannot check (Camel's default is strictHostKeyChecking=no:
     * any server, or whoever sits between the pools, is taken for the peer), or null when it checks it.
     */
    public String hostKeyCheckProblem() {
        if (!endpoint.regionMatches(true, 0, "sftp:", 0, 5)) {
            return null;
        }
        Map<String, String> options = new LinkedHashMap<>();
        int q = endpoint.indexOf('?');
        if (q >= 0) {
            for (String option : endpoint.substring(q + 1).split("&")) {
                String[] kv = option.split("=", 2);
                options.put(kv[0], kv.length > 1 ? kv[1] : "");
            }
        }
        if (!"yes".equals(options.get("strictHostKeyChecking"))) {
            return "an sftp: share must check the server's host key: add strictHostKeyChecking=yes and knownHostsFile="
                    + " (a known_hosts file naming the server's key; or knownHostsUri=, knownHosts=) to its query";
        }
        if (Stream.of("knownHostsFile", "knownHostsUri", "knownHosts").noneMatch(k -> !options.getOrDefault(k, "").isEmpty())) {
            return "strictHostKeyChecking=yes needs the server's key: add knownHostsFile= (a known_hosts file), knownHostsUri="
                    + " or knownHosts= to its query";
        }
        return null;
    }

    /** True when the share is reached through a transport (not a folder of this machine). */
    public boolean remote() {
        return folder == null;
    }
}
