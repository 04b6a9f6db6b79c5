package io.poolpair.share;

import com.hierynomus.msfscc.fileinformation.FileIdBothDirectoryInformation;
import org.apache.camel.component.file.GenericFileOperations;
import org.apache.camel.component.smb.SmbComponent;
import org.apache.camel.component.smb.SmbConfiguration;
import org.apache.camel.component.smb.SmbEndpoint;

/** camel-smb's endpoint, whose producers and consumers use {@link SmbShareOperations}. */
final class SmbShareEndpoint extends SmbEndpoint {

    SmbShareEndpoint(String uri, SmbComponent component, SmbConfiguration configuration) {
        super(uri, component, configuration);
    }

    @Override
    public GenericFileOperations<FileIdBothDirectoryInformation> createOperations() {
        SmbShareOperations operations = new SmbShareOperations(getConfiguration());
        operations.setEndpoint(this);
        return operations;
    }
}
