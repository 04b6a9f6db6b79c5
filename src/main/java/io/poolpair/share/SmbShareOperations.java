package io.poolpair.share;

import org.apache.camel.component.file.GenericFileOperationFailedException;
import org.apache.camel.component.smb.SmbConfiguration;
import org.apache.camel.component.smb.SmbOperations;

/**
 * camel-smb's file operations, connecting (again, after an outage) before they check whether a file exists.
 * camel-smb 4.17's {@code existsFile} uses the share without connecting, and Camel's file producer looks for
 * the temporary file ({@code tempFileName}) before it writes anything, so every write through a fresh producer
 * failed with a NullPointerException ("this.share is null").
 */
final class SmbShareOperations extends SmbOperations {

    SmbShareOperations(SmbConfiguration configuration) {
        super(configuration);
    }

    @Override
    public boolean existsFile(String name) throws GenericFileOperationFailedException {
        connectIfNecessary();
        return super.existsFile(name);
    }
}
