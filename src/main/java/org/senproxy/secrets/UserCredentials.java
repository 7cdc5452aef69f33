package org.senproxy.secrets;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.sql.DataSource;

import org.senproxy.db.Sql;
import org.senproxy.db.Transactions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The credentials of federated users in local applications (table user_app), encrypted at rest by
 * {@link CredentialCipher}: the login in clear, the secret in {@code credentials}.
 *
 * <p>Built for batches, since a connector polls for many users at once: {@link #store} writes any number of accounts
 * in three statements, {@link #forApplication} reads all of an application's in one, and {@link #rotate} and
 * {@link #check} walk the table in batches of {@code batchSize} rows (by id), each batch read in one query and
 * rotated in one JDBC batch inside one transaction: no round trip per row.
 */
public class UserCredentials {

    /** Rows per batch of {@link #rotate()} and {@link #check()} unless told otherwise. */
    public static final int DEFAULT_BATCH_SIZE = 500;

    private static final Logger LOG = LoggerFactory.getLogger(UserCredentials.class);

    private static final Sql ADD_USERS = Sql.of(UserCredentials.class, "add-users");
    private static final Sql UPSERT_ACCOUNTS = Sql.of(UserCredentials.class, "upsert-accounts");
    private static final Sql SET_CREDENTIALS = Sql.of(UserCredentials.class, "set-credentials");
    private static final Sql FIND = Sql.of(UserCredentials.class, "find");
    private static final Sql OF_APPLICATION = Sql.of(UserCredentials.class, "of-application");
    private static final Sql BATCH = Sql.of(UserCredentials.class, "batch");
    private static final Sql BATCH_LOCKED = Sql.of(UserCredentials.class, "batch-locked");

    private final DataSource dataSource;
    private final CredentialCipher cipher;
    private final int batchSize;

    public UserCredentials(DataSource dataSource, CredentialCipher cipher, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1");
        }
        this.dataSource = dataSource;
        this.cipher = cipher;
        this.batchSize = batchSize;
    }

    /** The id of the key new values are encrypted with. */
    public String currentKeyId() {
        return cipher.keys().currentId();
    }

    /** A user's account in a local application, to store: the federated user's external id, not the row id. */
    public record Account(String user, String application, String login, Secret secret) {}

    /** Credentials as read back, with their user_app row. */
    public record Stored(long rowId, String user, String application, String login, Secret secret) {}

    /** A row whose credentials cannot be read, and why (the exception's message: row and problem, no secret). */
    public record Failure(
            long rowId, String user, String application, CredentialsException.Problem problem, String message) {}

    /** What {@link #rotate()} did. */
    public record Rotation(String keyId, int reencrypted, int alreadyCurrent, List<Failure> failures) {}

    /** What {@link #check()} found: readable rows per key id, the current key first, and the rows that are not. */
    public record Check(Map<String, Integer> readableByKey, List<Failure> failures) {
        public int readable() {
            return readableByKey.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    /**
     * Stores accounts, in one transaction: the federated users that do not exist yet are created, each account's row
     * is created or gets the new login, then every secret is encrypted under the current key for its row (the row id
     * is part of the encryption, so it must exist first) and written in one JDBC batch.
     *
     * @return the user_app row ids, in the order of {@code accounts}
     */
    public List<Long> store(Collection<Account> accounts) throws SQLException {
        String keyId = cipher.keys().currentId(); // no key: fail before writing anything
        Map<String, Account> byName = new LinkedHashMap<>();
        for (Account a : accounts) {
            if (a.secret() == null || a.secret().isEmpty()) {
                throw new IllegalArgumentException("No secret for user " + a.user() + " in " + a.application());
            }
            if (byName.put(name(a.user(), a.application()), a) != null) {
                throw new IllegalArgumentException("User " + a.user() + " in " + a.application() + " is given twice");
            }
        }
        if (byName.isEmpty()) {
            return List.of();
        }
        String[] users = byName.values().stream().map(Account::user).toArray(String[]::new);
        Map<String, Long> ids = new HashMap<>();
        Transactions.inTransaction(dataSource, c -> {
            ADD_USERS.update(c, ADD_USERS.params().array("users", "text", users));
            for (Object[] row : UPSERT_ACCOUNTS.query(
                    c,
                    UPSERT_ACCOUNTS
                            .params()
                            .array("users", "text", users)
                            .array(
                                    "applications",
                                    "text",
                                    byName.values().stream()
                                            .map(Account::application)
                                            .toArray(String[]::new))
                            .array(
                                    "logins",
                                    "text",
                                    byName.values().stream().map(Account::login).toArray(String[]::new)),
                    rs -> new Object[] {name(rs.getString(2), rs.getString(3)), rs.getLong(1)})) {
                ids.put((String) row[0], (Long) row[1]);
            }
            SET_CREDENTIALS.batch(c, byName.entrySet(), (e, p) -> {
                long id = ids.get(e.getKey());
                p.set("credentials", cipher.encrypt(id, e.getValue().secret())).set("id", id);
            });
            return null;
        });
        LOG.info("Credentials of {} account(s) stored under key {}", byName.size(), keyId);
        return byName.keySet().stream().map(ids::get).toList();
    }

    /**
     * One user's credentials in one application; empty when there is no such account or it has no credentials.
     *
     * @throws CredentialsException when they cannot be read (the message names the row and the problem)
     */
    public Optional<Stored> find(String user, String application) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return Optional.ofNullable(
                    FIND.one(c, FIND.params().set("user", user).set("application", application), this::decrypt));
        }
    }

    /**
     * Every user's credentials in one application (one query), by user_app row id.
     *
     * @throws CredentialsException at the first row that cannot be read
     */
    public List<Stored> forApplication(String application) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return OF_APPLICATION.query(c, OF_APPLICATION.params().set("application", application), this::decrypt);
        }
    }

    private Stored decrypt(ResultSet rs) throws SQLException {
        long id = rs.getLong(1);
        return new Stored(id, rs.getString(2), rs.getString(3), rs.getString(4), cipher.decrypt(id, rs.getBytes(5)));
    }

    /**
     * Re-encrypts every row that is not under the current key yet, batch by batch: each batch's rows are read and
     * locked (FOR UPDATE, so that a concurrent store is not overwritten by an older value), decrypted with the key
     * they name, encrypted under the current key and written back in one JDBC batch, in one transaction. A row that
     * cannot be read is left as it is and reported; the others go on. When no failure is reported, every row is
     * under the current key and the older keys can be removed from the configuration.
     */
    public Rotation rotate() throws SQLException {
        String current = cipher.keys().currentId();
        int[] counts = new int[2]; // re-encrypted, already current
        List<Failure> failures = new ArrayList<>();
        scan(true, (c, rows) -> {
            List<Row> stale = new ArrayList<>();
            List<byte[]> reencrypted = new ArrayList<>();
            for (Row row : rows) {
                try {
                    if (current.equals(cipher.keyId(row.id(), row.stored()))) {
                        counts[1]++;
                        continue;
                    }
                    reencrypted.add(cipher.encrypt(row.id(), cipher.decrypt(row.id(), row.stored())));
                    stale.add(row);
                } catch (CredentialsException e) {
                    failures.add(failure(row, e));
                }
            }
            int[] i = {0};
            SET_CREDENTIALS.batch(
                    c,
                    stale,
                    (row, p) -> p.set("credentials", reencrypted.get(i[0]++)).set("id", row.id()));
            counts[0] += stale.size();
        });
        LOG.info(
                "Credentials rotated to key {}: {} row(s) re-encrypted, {} already under it, {} unreadable",
                current,
                counts[0],
                counts[1],
                failures.size());
        return new Rotation(current, counts[0], counts[1], List.copyOf(failures));
    }

    /** Decrypts every row (batch by batch) and reports those that cannot be read; nothing is written. */
    public Check check() throws SQLException {
        cipher.keys().currentId(); // no key: say so, even for an empty table
        Map<String, Integer> byKey = new LinkedHashMap<>();
        cipher.keys().ids().forEach(id -> byKey.put(id, 0));
        List<Failure> failures = new ArrayList<>();
        scan(false, (c, rows) -> {
            for (Row row : rows) {
                try {
                    cipher.decrypt(row.id(), row.stored());
                    byKey.merge(cipher.keyId(row.id(), row.stored()), 1, Integer::sum);
                } catch (CredentialsException e) {
                    failures.add(failure(row, e));
                }
            }
        });
        return new Check(byKey, List.copyOf(failures));
    }

    private static Failure failure(Row row, CredentialsException e) {
        LOG.warn("Credentials of user {} in {} cannot be read: {}", row.user(), row.application(), e.getMessage());
        return new Failure(row.id(), row.user(), row.application(), e.problem(), e.getMessage());
    }

    private record Row(long id, String user, String application, byte[] stored) {}

    private interface BatchWork {
        void apply(Connection c, List<Row> rows) throws SQLException;
    }

    /** Walks the rows with credentials by id, one transaction per batch. */
    private void scan(boolean lock, BatchWork work) throws SQLException {
        Sql next = lock ? BATCH_LOCKED : BATCH;
        long after = Long.MIN_VALUE;
        while (true) {
            long from = after;
            List<Row> rows = Transactions.inTransaction(dataSource, c -> {
                List<Row> batch = next.query(
                        c,
                        next.params().set("after", from).set("batch_size", batchSize),
                        rs -> new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBytes(5)));
                work.apply(c, batch);
                return batch;
            });
            if (rows.size() < batchSize) {
                return;
            }
            after = rows.get(rows.size() - 1).id();
        }
    }

    private static String name(String user, String application) {
        return user + '\u0000' + application;
    }
}
