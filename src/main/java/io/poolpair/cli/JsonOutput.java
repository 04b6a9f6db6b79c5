package io.poolpair.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.PrintWriter;
import java.io.Writer;
import picocli.CommandLine.Option;

/**
 * {@code --json} for a command that reports: one JSON object on standard output instead of the text (errors still go
 * to standard error, and the exit code means the same). Mixed into each such command.
 */
public final class JsonOutput {

    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    @Option(names = "--json", description = "Print one JSON object instead of the text.")
    boolean json;

    /** Where the command's text goes: {@code out}, or nowhere with --json. */
    PrintWriter text(PrintWriter out) {
        return json ? new PrintWriter(Writer.nullWriter()) : out;
    }

    /** With --json, prints {@code value} as one JSON object. */
    void print(PrintWriter out, Object value) {
        if (!json) {
            return;
        }
        try {
            out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        out.flush();
    }
}
