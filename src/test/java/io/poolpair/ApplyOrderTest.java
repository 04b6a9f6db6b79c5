package io.poolpair;

import static io.poolpair.TwoPools.A;
import static io.poolpair.TwoPools.B;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A batch applies its deletes first (children before parents), then its upserts (parents before children), so
 * a value that a deleted row held and a new row takes over in the same batch does not violate a UNIQUE
 * constraint on the receiving pool (which would fail the batch at every poll, for ever).
 */
class ApplyOrderTest {

    private static final String ACCOUNTS = "Test.Accounts";

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void deleteThenInsertOfSameUniqueValueApplies(StoreKind store) throws Exception {
        Map<String, String> modules = Map.of("poolpair.modules", ACCOUNTS,
                "poolpair.module." + ACCOUNTS + ".tables", "account, account_alias",
                "poolpair.module." + ACCOUNTS + ".owner-pool", A);
        try (TwoPools pools = TwoPools.start(dir, modules, store.pool(A, "constraints"), store.pool(B, "constraints"))) {
            TwoPools.exec(pools.a, "INSERT INTO account (id, email, name) VALUES (1, 'x@example.com', 'first')");
            TwoPools.exec(pools.a, "INSERT INTO account_alias (alias, account_id) VALUES ('first-alias', 1)");
            pools.syncUntilSettled();

            // one cycle: the old account and its alias go, a new account takes over the e-mail address
            TwoPools.exec(pools.a, "DELETE FROM account_alias WHERE alias = 'first-alias'");
            TwoPools.exec(pools.a, "DELETE FROM account WHERE id = 1");
            TwoPools.exec(pools.a, "INSERT INTO account (id, email, name) VALUES (2, 'x@example.com', 'second')");
            TwoPools.exec(pools.a, "INSERT INTO account_alias (alias, account_id) VALUES ('second-alias', 2)");
            pools.a.syncNow();
            pools.awaitApplied(pools.b, ACCOUNTS, 2);

            assertEquals(1, TwoPools.count(pools.b, "SELECT COUNT(*) FROM account WHERE id = 2 AND email = 'x@example.com'"));
            assertEquals(0, TwoPools.count(pools.b, "SELECT COUNT(*) FROM account WHERE id = 1"));
            assertEquals(1, TwoPools.count(pools.b, "SELECT COUNT(*) FROM account_alias WHERE account_id = 2"));
            assertNull(pools.importState(pools.b, ACCOUNTS).lastError());
            pools.syncUntilSettled();
            pools.assertCopiesEqual();
        }
    }
}
