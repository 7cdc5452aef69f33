package org.senproxy.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.IntStream;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.senproxy.cli.ProxyDatabase;
import org.senproxy.secrets.CredentialsException.Problem;
import org.senproxy.secrets.UserCredentials.Account;
import org.senproxy.testing.LogCapture;
import org.senproxy.testing.TestPostgres;

/** Credentials of user_app encrypted at rest, on a real PostgreSQL: what is stored, what is refused, rotation. */
class UserCredentialsTest {

    private static final String SECRET = "tr0ub4dor&3-of-alice";
    private final String k1 = randomKey();
    private final String k2 = randomKey();
    private DataSource dataSource;

    @BeforeEach
    void database() {
        String url = TestPostgres.newDatabase("credentials");
        TestPostgres.migrate(url);
        dataSource = ProxyDatabase.dataSource(url, "postgres", null);
    }

    private UserCredentials credentials(String keys) {
        return credentials(keys, UserCredentials.DEFAULT_BATCH_SIZE);
    }

    private UserCredentials credentials(String keys, int batchSize) {
        return new UserCredentials(dataSource, new CredentialCipher(CredentialKeys.parse(keys)), batchSize);
    }

    @Test
    void storesAndReadsBackWithoutThePlaintextInTheDatabase() throws Exception {
        UserCredentials store = credentials("k1:" + k1);
        List<Long> ids = store.store(List.of(
                new Account("alice", "ecodevices", "alice@home", Secret.of(SECRET)),
                new Account("bob", "ecodevices", "bob", Secret.of("bob's own secret")),
                new Account("alice", "sge", "PRM-1", Secret.of("alice at sge"))));
        assertThat(ids).hasSize(3).doesNotHaveDuplicates();
        assertThat(count("SELECT count(*) FROM federated_user"))
                .as("users created once")
                .isEqualTo(2);
        assertThat(store.find("alice", "sge").orElseThrow().secret().reveal()).isEqualTo("alice at sge");

        UserCredentials.Stored alice = store.find("alice", "ecodevices").orElseThrow();
        assertThat(alice.rowId()).isEqualTo(ids.get(0));
        assertThat(alice.login()).isEqualTo("alice@home");
        assertThat(alice.secret().reveal()).isEqualTo(SECRET);
        assertThat(store.forApplication("ecodevices"))
                .extracting(s -> s.user() + "=" + s.secret().reveal())
                .containsExactly("alice=" + SECRET, "bob=bob's own secret");
        assertThat(store.find("alice", "zabbix")).isEmpty();

        byte[] stored = stored(ids.get(0));
        assertThat(HexFormat.of().formatHex(stored))
                .doesNotContain(HexFormat.of().formatHex(SECRET.getBytes(StandardCharsets.UTF_8)))
                .doesNotContain(HexFormat.of().formatHex(Base64.getDecoder().decode(k1)));
        assertThat(new String(stored, StandardCharsets.ISO_8859_1))
                .doesNotContain(SECRET)
                .doesNotContain(k1);
        assertThat(stored[0]).as("format version").isEqualTo((byte) 1);
        assertThat(new String(stored, 2, stored[1], StandardCharsets.US_ASCII))
                .as("key id")
                .isEqualTo("k1");
        assertThat(stored).hasSize(2 + 2 + 8 + 12 + SECRET.length() + 16);

        // a new login and secret replace the old ones in the same row
        assertThat(store.store(List.of(new Account("alice", "ecodevices", "alice2", Secret.of("new")))))
                .containsExactly(ids.get(0));
        assertThat(store.find("alice", "ecodevices").orElseThrow().secret().reveal())
                .isEqualTo("new");
    }

    @Test
    void encryptingTheSameSecretTwiceGivesDifferentBytes() throws Exception {
        UserCredentials store = credentials("k1:" + k1);
        long id = store.store(List.of(new Account("alice", "sge", null, Secret.of(SECRET))))
                .get(0);
        byte[] first = stored(id);
        store.store(List.of(new Account("alice", "sge", null, Secret.of(SECRET))));
        byte[] second = stored(id);

        assertThat(second).isNotEqualTo(first);
        int ivAt = 2 + 2 + 8;
        assertThat(HexFormat.of().formatHex(second, ivAt, ivAt + 12))
                .as("a fresh random IV")
                .isNotEqualTo(HexFormat.of().formatHex(first, ivAt, ivAt + 12));
        assertThat(store.find("alice", "sge").orElseThrow().secret().reveal()).isEqualTo(SECRET);
    }

    @Test
    void credentialsMovedToAnotherRowDoNotDecryptThere() throws Exception {
        UserCredentials store = credentials("k1:" + k1);
        List<Long> ids = store.store(List.of(
                new Account("alice", "sge", "a", Secret.of(SECRET)),
                new Account("mallory", "sge", "m", Secret.of("mallory's"))));
        long alice = ids.get(0);
        long mallory = ids.get(1);
        byte[] alices = stored(alice);
        write(mallory, alices);

        assertThatThrownBy(() -> store.find("mallory", "sge")).isInstanceOfSatisfying(CredentialsException.class, e -> {
            assertThat(e.rowId()).isEqualTo(mallory);
            assertThat(e.problem()).isEqualTo(Problem.OTHER_ROW);
            assertThat(e.getMessage())
                    .startsWith("user_app row " + mallory + ": written for row " + alice)
                    .doesNotContain(SECRET);
        });

        // the row id in clear is only there to say so: rewritten to the new row, the tag still refuses it
        byte[] forged = alices.clone();
        forged[4 + 7] = (byte) mallory; // the last byte of the big-endian row id (ids are small here)
        assertThat(mallory).isLessThan(128);
        write(mallory, forged);
        assertThatThrownBy(() -> store.find("mallory", "sge"))
                .isInstanceOfSatisfying(
                        CredentialsException.class, e -> assertThat(e.problem()).isEqualTo(Problem.NOT_AUTHENTIC));
    }

    @Test
    void aTamperedByteOrAWrongKeyIsRefusedNamingTheRow() throws Exception {
        UserCredentials store = credentials("k1:" + k1);
        long id = store.store(List.of(new Account("alice", "sge", null, Secret.of(SECRET))))
                .get(0);
        byte[] good = stored(id);
        for (int at : new int[] {2 + 2 + 8, good.length - 20, good.length - 1}) { // IV, ciphertext, tag
            byte[] tampered = good.clone();
            tampered[at] ^= 0x01;
            write(id, tampered);
            assertThatThrownBy(() -> store.find("alice", "sge"))
                    .isInstanceOfSatisfying(CredentialsException.class, e -> {
                        assertThat(e.problem()).isEqualTo(Problem.NOT_AUTHENTIC);
                        assertThat(e.getMessage())
                                .isEqualTo("user_app row " + id + ": does not authenticate under"
                                        + " key k1: the key configured as k1 is not the one it was written with, or the stored"
                                        + " bytes were altered");
                    });
        }
        write(id, new byte[] {9, 2, 'k', '1'});
        assertThatThrownBy(() -> store.find("alice", "sge"))
                .isInstanceOfSatisfying(
                        CredentialsException.class, e -> assertThat(e.problem()).isEqualTo(Problem.MALFORMED));

        write(id, good);
        UserCredentials otherK1 = credentials("k1:" + k2);
        assertThatThrownBy(() -> otherK1.find("alice", "sge")).isInstanceOfSatisfying(CredentialsException.class, e -> {
            assertThat(e.problem()).isEqualTo(Problem.NOT_AUTHENTIC);
            assertThat(e.getMessage())
                    .contains("row " + id)
                    .doesNotContain(k1)
                    .doesNotContain(k2)
                    .doesNotContain(SECRET);
        });
    }

    @Test
    void rotationReencryptsEveryRowUnderTheNewKeySoTheOldOneCanGo() throws Exception {
        List<Account> accounts = IntStream.range(0, 7)
                .mapToObj(i -> new Account("user-" + i, "dataconnect", "login-" + i, Secret.of("secret-" + i)))
                .toList();
        List<Long> ids = credentials("k1:" + k1).store(accounts);

        UserCredentials both = credentials("k2:" + k2 + ",k1:" + k1, 3); // three batches: 3 + 3 + 1
        UserCredentials.Rotation rotation = both.rotate();
        assertThat(rotation.keyId()).isEqualTo("k2");
        assertThat(rotation.reencrypted()).isEqualTo(7);
        assertThat(rotation.alreadyCurrent()).isZero();
        assertThat(rotation.failures()).isEmpty();
        for (long id : ids) {
            byte[] stored = stored(id);
            assertThat(new String(stored, 2, stored[1], StandardCharsets.US_ASCII))
                    .isEqualTo("k2");
        }
        UserCredentials.Rotation again = both.rotate();
        assertThat(again.reencrypted()).as("nothing left to do").isZero();
        assertThat(again.alreadyCurrent()).isEqualTo(7);

        UserCredentials newOnly = credentials("k2:" + k2, 3);
        UserCredentials.Check check = newOnly.check();
        assertThat(check.failures()).isEmpty();
        assertThat(check.readableByKey()).containsExactly(java.util.Map.entry("k2", 7));
        assertThat(newOnly.forApplication("dataconnect"))
                .extracting(s -> s.secret().reveal())
                .containsExactly(
                        IntStream.range(0, 7).mapToObj(i -> "secret-" + i).toArray(String[]::new));
    }

    @Test
    void aRowUnderAKeyNoLongerConfiguredIsNamedAndTheOthersRotateAnyway() throws Exception {
        long old = credentials("k0:" + randomKey())
                .store(List.of(new Account("old", "zabbix", null, Secret.of("from long ago"))))
                .get(0);
        credentials("k1:" + k1).store(List.of(new Account("alice", "zabbix", null, Secret.of(SECRET))));
        UserCredentials store = credentials("k2:" + k2 + ",k1:" + k1, 1);

        assertThatThrownBy(() -> store.find("old", "zabbix")).isInstanceOfSatisfying(CredentialsException.class, e -> {
            assertThat(e.problem()).isEqualTo(Problem.UNKNOWN_KEY);
            assertThat(e.getMessage())
                    .isEqualTo("user_app row " + old + ": written with key k0, which is not"
                            + " configured (configured: k2, k1); restore that key, or store the credentials again");
        });
        try (LogCapture log = new LogCapture(UserCredentials.class)) {
            UserCredentials.Rotation rotation = store.rotate();
            assertThat(rotation.reencrypted()).isEqualTo(1);
            assertThat(rotation.failures())
                    .extracting(UserCredentials.Failure::rowId)
                    .containsExactly(old);
            assertThat(log.warnings()).contains("user_app row " + old).doesNotContain(SECRET);
        }
        UserCredentials.Check check = store.check();
        assertThat(check.readableByKey()).containsExactly(java.util.Map.entry("k2", 1), java.util.Map.entry("k1", 0));
        assertThat(check.failures()).singleElement().satisfies(f -> {
            assertThat(f.user()).isEqualTo("old");
            assertThat(f.problem()).isEqualTo(Problem.UNKNOWN_KEY);
        });
    }

    @Test
    void withoutAKeyConfiguredUsingCredentialsFailsSayingWhatToSet() throws Exception {
        credentials("k1:" + k1).store(List.of(new Account("alice", "sge", null, Secret.of(SECRET))));
        CredentialKeys none = CredentialKeys.fromSettings(key -> null);
        assertThat(none).isSameAs(CredentialKeys.NONE);
        UserCredentials store = new UserCredentials(dataSource, new CredentialCipher(none), 10);

        String expected = "No credentials key is configured: set senproxy.credentials.keys (environment variable"
                + " SENPROXY_CREDENTIALS_KEYS) or senproxy.credentials.keys-file";
        assertThatThrownBy(() -> store.find("alice", "sge"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith(expected);
        assertThatThrownBy(() -> store.store(List.of(new Account("bob", "sge", null, Secret.of("x")))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith(expected);
        assertThatThrownBy(store::rotate).hasMessageStartingWith(expected);
        assertThat(count("SELECT count(*) FROM federated_user WHERE external_id = 'bob'"))
                .as("nothing written")
                .isZero();
    }

    @Test
    void noSecretOrKeyInMessagesLogsOrToString() throws Exception {
        List<String> texts = new ArrayList<>();
        try (LogCapture log = new LogCapture(UserCredentials.class)) {
            UserCredentials store = credentials("k2:" + k2 + ",k1:" + k1);
            long id = store.store(List.of(new Account("alice", "sge", "alice", Secret.of(SECRET))))
                    .get(0);
            UserCredentials.Stored stored = store.find("alice", "sge").orElseThrow();
            texts.add(stored.toString());
            texts.add(new Account("alice", "sge", "alice", Secret.of(SECRET)).toString());
            texts.add(CredentialKeys.parse("k2:" + k2 + ",k1:" + k1).toString());
            byte[] tampered = stored(id);
            tampered[tampered.length - 1] ^= 1;
            write(id, tampered);
            for (UserCredentials reader : List.of(store, credentials("k1:" + k2), credentials("k9:" + k1))) {
                try {
                    reader.find("alice", "sge");
                } catch (CredentialsException e) {
                    texts.add(e.getMessage());
                }
            }
            texts.add(store.check().toString());
            texts.add(log.messages(ch.qos.logback.classic.Level.INFO) + log.warnings());
        }
        assertThat(texts)
                .hasSize(8)
                .allSatisfy(text -> assertThat(text)
                        .doesNotContain(SECRET)
                        .doesNotContain(k1)
                        .doesNotContain(k2));
        assertThat(texts.get(0)).contains("Secret[hidden]");
        assertThat(texts.get(2)).isEqualTo("CredentialKeys[k2, k1]");
    }

    private byte[] stored(long id) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT credentials FROM user_app WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBytes(1);
            }
        }
    }

    private void write(long id, byte[] credentials) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("UPDATE user_app SET credentials = ? WHERE id = ?")) {
            ps.setBytes(1, credentials);
            ps.setLong(2, id);
            ps.executeUpdate();
        }
    }

    private long count(String query) throws SQLException {
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static String randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }
}
