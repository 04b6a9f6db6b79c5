package io.poolpair.share;

import com.hierynomus.msfscc.fileinformation.FileIdBothDirectoryInformation;
import java.util.HashMap;
import java.util.Map;
import org.apache.camel.component.file.GenericFileEndpoint;
import org.apache.camel.component.smb.SmbComponent;
import org.apache.camel.component.smb.SmbComponentConfigurer;
import org.apache.camel.component.smb.SmbEndpoint;
import org.apache.camel.component.smb.SmbEndpointConfigurer;
import org.apache.camel.spi.PropertyConfigurer;

/**
 * Camel's smb component (camel-smb) whose endpoints write through {@link SmbShareOperations}; bound in the
 * registry as {@code smb}, so {@code smb://} share URIs use it. camel-smb parses the URI and its options;
 * this class only swaps the endpoint for a {@link SmbShareEndpoint} on the same configuration.
 */
public final class SmbShareComponent extends SmbComponent {

    @Override
    protected GenericFileEndpoint<FileIdBothDirectoryInformation> buildFileEndpoint(String uri, String remaining,
            Map<String, Object> parameters) throws Exception {
        // camel-smb parses a copy (and consumes the path option); the options are set on the returned endpoint
        // from the original parameters afterwards, as for any file endpoint
        SmbEndpoint parsed = (SmbEndpoint) super.buildFileEndpoint(uri, remaining, new HashMap<>(parameters));
        parameters.remove("path");
        return new SmbShareEndpoint(uri, this, parsed.getConfiguration());
    }

    /** camel-smb's option setters: Camel finds configurers by the component's class, which is this one. */
    @Override
    public PropertyConfigurer getComponentPropertyConfigurer() {
        return new SmbComponentConfigurer();
    }

    @Override
    public PropertyConfigurer getEndpointPropertyConfigurer() {
        return new SmbEndpointConfigurer();
    }
}
