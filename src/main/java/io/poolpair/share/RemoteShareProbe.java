package io.poolpair.share;

import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.component.file.remote.RemoteFileEndpoint;
import org.apache.camel.component.file.remote.RemoteFileOperations;

/**
 * Asks a remote share (an sftp: endpoint) whether it holds a file, over a connection of its own that is
 * closed again; the connection options are the endpoint's.
 */
final class RemoteShareProbe {

    private RemoteShareProbe() {
    }

    static boolean exists(CamelContext context, String endpointUri, String relativePath) throws Exception {
        Endpoint endpoint = context.getEndpoint(endpointUri);
        if (!(endpoint instanceof RemoteFileEndpoint<?> remote)) {
            throw new IllegalStateException("poolpair.share.peer = " + endpointUri + " is not a remote file endpoint");
        }
        RemoteFileOperations<?> operations = remote.createRemoteFileOperations();
        try {
            operations.connect(remote.getConfiguration(), remote.createExchange());
            String directory = remote.getConfiguration().getDirectory();
            String path = directory == null || directory.isEmpty() ? relativePath
                    : (directory.endsWith("/") ? directory : directory + "/") + relativePath;
            return operations.existsFile(path);
        } finally {
            operations.disconnect();
        }
    }
}
