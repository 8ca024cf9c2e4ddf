package io.github.tsm4j.core;

import java.util.Properties;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Restores the process-wide settings a test may change, after each test: ND4J's default data types
 * ({@code Nd4j.setDefaultDataTypes}), ND4J's thread count and the JVM's system properties. Use it
 * ({@code @ExtendWith(RestoreNd4jGlobals.class)}) on every test class that changes one of them, so that no
 * other test's result depends on the order the tests run in ({@code NumericsOrderTest} checks that).
 */
public final class RestoreNd4jGlobals implements BeforeEachCallback, AfterEachCallback {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(RestoreNd4jGlobals.class);

    /** What was in effect before the test. */
    record Snapshot(DataType dataType, DataType floatType, int maxThreads, Properties properties) {
        static Snapshot take() {
            Properties p = new Properties();
            p.putAll(System.getProperties());
            return new Snapshot(Nd4j.dataType(), Nd4j.defaultFloatingPointType(), Nd4j.getEnvironment().maxThreads(), p);
        }

        void restore() {
            Nd4j.setDefaultDataTypes(dataType, floatType);
            Nd4j.getEnvironment().setMaxThreads(maxThreads);
            Properties now = System.getProperties();
            now.keySet().removeIf(k -> !properties.containsKey(k));
            now.putAll(properties);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NS).put(Snapshot.class, Snapshot.take());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        context.getStore(NS).get(Snapshot.class, Snapshot.class).restore();
    }
}
