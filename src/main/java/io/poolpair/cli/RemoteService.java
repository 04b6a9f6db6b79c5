package io.poolpair.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.poolpair.runtime.HttpAccess;
import io.poolpair.status.BackupStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;

/**
 * {@code status} and {@code sync} against a running instance named by {@code --url}, on this host or another, with
 * the pool's HTTP token. Each failure is one line and one exit code: unreachable 3, a refused token 2 (naming where
 * the token comes from), a standby instance 3 (naming the active one).
 */
final class RemoteService {

    /** The environment variable that may hold the token for {@code --url}. */
    static final String TOKEN_ENV = "POOLPAIR_HTTP_TOKEN";

    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(30); // a sync answers once its cycle ran

    private final String base;
    private final Optional<String> token;
    private final String tokenSource;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();

    private RemoteService(String base, Optional<String> token, String tokenSource) {
        this.base = base;
        this.token = token;
        this.tokenSource = tokenSource;
    }

    /** The answer of the service, or why there is none (already printed); {@code code} is the exit code then. */
    static final class Failed extends Exception {
        final int code;

        Failed(int code, String message) {
            super(message);
            this.code = code;
        }
    }

    /** From the options: the URL checked, the token read from --token-file or the environment. */
    static RemoteService of(ServiceTarget.Remote remote, CommandLine commandLine) {
        URI url = remote.url;
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
            throw new CommandLine.ParameterException(commandLine, "--url " + url + ": expected http://host:port or"
                    + " https://host:port (the instance's poolpair.http.host and poolpair.http.port)");
        }
        String base = url.toString().replaceAll("/+$", "");
        if (remote.tokenFile != null) {
            try {
                String token = Files.readString(remote.tokenFile, StandardCharsets.UTF_8).strip();
                if (token.isEmpty()) {
                    throw new CommandLine.ParameterException(commandLine, "--token-file " + remote.tokenFile
                            + " is empty: put the pool's HTTP token in it (poolpair.http.token-file on the service)");
                }
                return new RemoteService(base, Optional.of(token), "--token-file " + remote.tokenFile);
            } catch (IOException e) {
                throw new CommandLine.ParameterException(commandLine, "--token-file " + remote.tokenFile
                        + ": cannot read it (" + e.getMessage() + ")");
            }
        }
        String env = System.getenv(TOKEN_ENV);
        return new RemoteService(base, Optional.ofNullable(env).map(String::strip).filter(s -> !s.isEmpty()),
                "the environment variable " + TOKEN_ENV);
    }

    String describe() {
        return base;
    }

    /** GET /poolpair/status[?module=M]: the report as the service shows it to this token. */
    BackupStatus.Report status(String module) throws Failed, InterruptedException {
        return report(send(request("/poolpair/status" + moduleQuery(module, false)).GET().build(), "status"));
    }

    /** The status body as the service sent it (for --json). */
    String statusJson(String module) throws Failed, InterruptedException {
        return send(request("/poolpair/status" + moduleQuery(module, false)).GET().build(), "status");
    }

    /** POST /poolpair/sync: an export cycle in the running instance; returns the status after the cycle. */
    BackupStatus.Report sync(String module, boolean full) throws Failed, InterruptedException {
        String query = moduleQuery(module, true) + (full ? "&full=true" : "");
        return report(send(request("/poolpair/sync" + query).POST(HttpRequest.BodyPublishers.noBody()).build(), "sync"));
    }

    private static String moduleQuery(String module, boolean always) {
        if (module == null) {
            return always ? "?module=All" : "";
        }
        return "?module=" + URLEncoder.encode(module, StandardCharsets.UTF_8);
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(REQUEST_TIMEOUT);
        token.ifPresent(t -> request.header("Authorization", HttpAccess.authorizationHeader(t)));
        return request;
    }

    private String send(HttpRequest request, String what) throws Failed, InterruptedException {
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new Failed(ExitCodes.UNREACHABLE, "cannot reach the service at " + base + " (" + (e.getMessage() == null
                    ? e.getClass().getSimpleName() : e.getMessage()) + "): check the URL, that the instance runs, and that"
                    + " its poolpair.http.host is an address this host can reach");
        }
        String body = response.body() == null ? "" : response.body().strip();
        switch (response.statusCode()) {
            case 200:
                return body;
            case 401:
                throw new Failed(ExitCodes.USAGE, token.isEmpty()
                        ? "the service at " + base + " needs the pool's HTTP token for " + what + ": pass it with --token-file FILE"
                                + " or the environment variable " + TOKEN_ENV
                        : "the service at " + base + " refused the token from " + tokenSource + " (401): it is not the"
                                + " pool's HTTP token (poolpair.http.token / poolpair.http.token-file, or http.token in the"
                                + " instance's poolpair.data-dir)");
            case 503:
                throw new Failed(ExitCodes.UNREACHABLE, "the instance at " + base + " stands by and does not run " + what
                        + ": " + activeInstance() + "; run the command against the active instance");
            case 400:
                throw new Failed(ExitCodes.USAGE, "the service at " + base + " refused the request: " + body);
            default:
                throw new Failed(ExitCodes.UNREACHABLE, "the service at " + base + " answered " + response.statusCode()
                        + " to " + what + ": " + body);
        }
    }

    /** Who is active, from the standby's own status (host and pid need the token). */
    private String activeInstance() {
        try {
            HttpResponse<String> response = client.send(request("/poolpair/status").GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            BackupStatus.InstanceStatus active = report(response.body()).activeInstance();
            if (active == null) {
                return "no active instance is named in the pool's TaskAssignment/ folder";
            }
            if (active.host() == null) {
                return "the active instance is named in the pool's TaskAssignment/ folder (its host shows with the token)";
            }
            return "the active instance is " + active.host() + " (pid " + active.pid() + ", refreshed at "
                    + active.refreshedAt() + ")";
        } catch (IOException | Failed | RuntimeException e) {
            return "the active instance is named in the pool's TaskAssignment/ folder";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "the active instance is named in the pool's TaskAssignment/ folder";
        }
    }

    private BackupStatus.Report report(String body) throws Failed {
        try {
            return JSON.readValue(body, BackupStatus.Report.class);
        } catch (IOException e) {
            throw new Failed(ExitCodes.UNREACHABLE, "the service at " + base + " did not answer with a poolpair status ("
                    + e.getMessage().lines().findFirst().orElse("") + "): is " + base + " a poolpair instance?");
        }
    }

    /** {@code status --url}: prints the remote report; 0 healthy, 1 not, else the failure's code. */
    int printStatus(String module, boolean json, PrintWriter out, PrintWriter err) throws InterruptedException {
        try {
            String body = statusJson(module);
            BackupStatus.Report report = report(body);
            if (json) {
                out.println(body);
                out.flush();
            } else {
                io.poolpair.status.StatusTable.print(report, out);
            }
            return report.healthy() ? ExitCodes.OK : ExitCodes.UNHEALTHY;
        } catch (Failed e) {
            err.println("poolpair: " + e.getMessage());
            return e.code;
        }
    }

    /**
     * {@code sync --url}: an export cycle in the remote instance; with {@code wait}, until its peer acknowledged
     * every batch exported so far. 0 done, 1 ErrorState or timed out, else the failure's code.
     */
    int sync(String module, boolean full, boolean wait, Duration timeout, JsonOutput output, PrintWriter out,
             PrintWriter err) throws InterruptedException {
        PrintWriter text = output.text(out);
        try {
            BackupStatus.Report after = sync(module, full);
            text.println("export cycle ran in the service at " + base);
            int code;
            if (wait) {
                code = await(module, after, timeout, text);
                after = status(module);
            } else {
                code = ExitCodes.OK;
                for (BackupStatus.ModuleStatus m : after.modules()) {
                    if (m.exportStatus() == BackupStatus.ExportStatus.ErrorState) {
                        err.println("poolpair: " + m.module() + " is in ExportStatus ErrorState: " + m.lastError());
                        code = ExitCodes.UNHEALTHY;
                    }
                }
                io.poolpair.status.StatusTable.print(after, text);
            }
            output.print(out, Map.of("result", code == ExitCodes.OK ? "done" : wait ? "timed-out" : "error-state",
                    "exitCode", code, "ranIn", "service at " + base, "status", after));
            return code;
        } catch (Failed e) {
            err.println("poolpair: " + e.getMessage());
            return e.code;
        }
    }

    private int await(String module, BackupStatus.Report after, Duration timeout, PrintWriter text)
            throws Failed, InterruptedException {
        Map<String, Long> target = new HashMap<>();
        after.modules().forEach(m -> target.put(m.module(), m.lastExportedBatch()));
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (true) {
            BackupStatus.Report now = status(module);
            boolean done = true;
            StringBuilder progress = new StringBuilder();
            for (BackupStatus.ModuleStatus m : now.modules()) {
                done &= m.lastAcknowledgedBatch() >= target.getOrDefault(m.module(), 0L);
                progress.append(String.format("%s: batch %d exported, %d acknowledged; ", m.module(), m.lastExportedBatch(),
                        m.lastAcknowledgedBatch()));
            }
            if (!progress.toString().equals(last)) {
                text.println("  " + progress.toString().trim());
                text.flush();
                last = progress.toString();
            }
            if (done) {
                io.poolpair.status.StatusTable.print(now, text);
                return ExitCodes.OK;
            }
            if (System.nanoTime() > deadline) {
                text.println("timed out after " + timeout + " waiting for the peer's acknowledgement");
                io.poolpair.status.StatusTable.print(now, text);
                return ExitCodes.UNHEALTHY;
            }
            Thread.sleep(500);
        }
    }
}
