package io.poolpair.share;

import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.component.file.GenericFileEndpoint;
import org.apache.camel.component.file.remote.RemoteFileEndpoint;
import org.apache.camel.component.file.remote.RemoteFileOperations;
import org.apache.camel.component.smb.SmbEndpoint;
import org.apache.camel.component.smb.SmbOperations;

/**
 * Asks a remote share (an sftp: or smb: endpoint) whether it holds a file, over a connection of its own that
 * is closed again; the connection options are the endpoint's.
 */
final class RemoteShareProbe {

    private RemoteShareProbe() {
    }

    static boolean exists(CamelContext context, String endpointUri, String relativePath) throws Exception {
        Endpoint endpoint = context.getEndpoint(endpointUri);
        if (endpoint instanceof RemoteFileEndpoint<?> sftp) {
            RemoteFileOperations<?> operations = sftp.createRemoteFileOperations();
            try {
                operations.connect(sftp.getConfiguration(), sftp.createExchange());
                return operations.existsFile(inDirectory(sftp, relativePath));
            } finally {
                operations.disconnect();
            }
        }
        if (endpoint instanceof SmbEndpoint smb) {
            SmbOperations operations = (SmbOperations) smb.createOperations();
            try {
                operations.connect(smb.getConfiguration(), smb.createExchange());
                return operations.existsFile(inDirectory(smb, relativePath));
            } finally {
                // also closes the SMB client this probe's operations own
                operations.forceDisconnect();
            }
        }
        throw new IllegalStateException("poolpair.share.peer = " + endpointUri + " is not a remote file endpoint");
    }

    /** The path of {@code relativePath} on the server: below the endpoint's folder, when it names one. */
    private static String inDirectory(GenericFileEndpoint<?> endpoint, String relativePath) {
        String directory = endpoint.getConfiguration().getDirectory();
        return directory == null || directory.isEmpty() ? relativePath
                : (directory.endsWith("/") ? directory : directory + "/") + relativePath;
    }
}
