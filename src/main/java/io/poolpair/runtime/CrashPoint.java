package io.poolpair.runtime;

import org.apache.camel.CamelContext;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.InterceptStrategy;
import org.apache.camel.support.processor.DelegateAsyncProcessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TEST FAULT INJECTION ONLY. With the system property {@code poolpair.test.halt-before} set to the id of a route
 * step (e.g. {@code purge-acknowledged-changes}), the JVM halts with exit code 137 just before that step runs:
 * {@link Runtime#halt} runs no shutdown hook and closes nothing, as {@code kill -9} would leave the process. The
 * crash tests use it to die at an exact point; unset (always, in production) it installs nothing.
 */
final class CrashPoint implements InterceptStrategy {

    static final String PROPERTY = "poolpair.test.halt-before";
    private static final Logger LOG = LoggerFactory.getLogger(CrashPoint.class);

    private final String stepId;

    private CrashPoint(String stepId) {
        this.stepId = stepId;
    }

    /** Installs the crash point when {@value #PROPERTY} is set; otherwise does nothing. */
    static void installIfRequested(org.apache.camel.main.Main main) {
        String step = System.getProperty(PROPERTY, "");
        if (step.isBlank()) {
            return;
        }
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void beforeConfigure(BaseMainSupport m) {
                LOG.warn("test fault injection: this JVM halts (exit 137) before route step {}", step);
                m.getCamelContext().getCamelContextExtension().addInterceptStrategy(new CrashPoint(step));
            }
        });
    }

    @Override
    public Processor wrapProcessorInInterceptors(CamelContext context, NamedNode definition, Processor target,
                                                 Processor nextTarget) {
        if (!stepId.equals(definition.getId())) {
            return target;
        }
        return new DelegateAsyncProcessor(target) {
            @Override
            public boolean process(org.apache.camel.Exchange exchange, org.apache.camel.AsyncCallback callback) {
                System.err.println("poolpair.test.halt-before: halting before " + stepId);
                System.err.flush();
                Runtime.getRuntime().halt(137);
                return super.process(exchange, callback);
            }
        };
    }
}
