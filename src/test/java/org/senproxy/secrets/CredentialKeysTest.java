package org.senproxy.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The credentials keys as configured: the current one first, and errors that name key ids, never keys. */
class CredentialKeysTest {

    private final String k1 = UserCredentialsTest.randomKey();
    private final String k2 = UserCredentialsTest.randomKey();

    @TempDir
    Path folder;

    @Test
    void theFirstKeyIsCurrentAndTheOthersAreStillReadable() {
        CredentialKeys keys = CredentialKeys.parse(" k2:" + k2 + ", k1:" + k1 + "\n");
        assertThat(keys.currentId()).isEqualTo("k2");
        assertThat(keys.ids()).containsExactly("k2", "k1");
        assertThat(keys.toString()).isEqualTo("CredentialKeys[k2, k1]");
    }

    @Test
    void readsTheSettingOrAFileButNotBoth() throws Exception {
        Path file = Files.writeString(folder.resolve("keys"), "k2:" + k2 + "\nk1:" + k1 + "\n");
        assertThat(CredentialKeys.fromSettings(Map.of(CredentialKeys.KEYS_FILE, file.toString())::get)
                        .ids())
                .containsExactly("k2", "k1");
        assertThat(CredentialKeys.fromSettings(Map.of(CredentialKeys.KEYS, "k1:" + k1)::get)
                        .ids())
                .containsExactly("k1");
        assertThat(CredentialKeys.fromSettings(Map.of(CredentialKeys.KEYS, " ")::get))
                .isSameAs(CredentialKeys.NONE);
        assertThatThrownBy(() -> CredentialKeys.fromSettings(
                        Map.of(CredentialKeys.KEYS, "k1:" + k1, CredentialKeys.KEYS_FILE, file.toString())::get))
                .hasMessage("Both senproxy.credentials.keys and"
                        + " senproxy.credentials.keys-file are set: set one of them");
        assertThatThrownBy(() -> CredentialKeys.fromSettings(Map.of(
                        CredentialKeys.KEYS_FILE, folder.resolve("missing").toString())::get))
                .hasMessageContaining("Cannot read");
    }

    @Test
    void badKeysAreRefusedByKeyIdWithoutQuotingThem() {
        String shortKey = Base64.getEncoder().encodeToString(new byte[16]);
        String notBase64 = "not*base64*at*all-secret";
        assertThatThrownBy(() -> CredentialKeys.parse("k1:" + shortKey))
                .hasMessage("senproxy.credentials.keys: key k1 has 16 bytes; AES-256 needs 32 (openssl rand -base64"
                        + " 32)");
        assertThatThrownBy(() -> CredentialKeys.parse("k2:" + k2 + ",k1:" + notBase64))
                .hasMessage("senproxy.credentials.keys: key k1 is not valid base64");
        assertThatThrownBy(() -> CredentialKeys.parse(k1))
                .hasMessageStartingWith("senproxy.credentials.keys: entry 1 is not <key id>:<base64 key>")
                .hasMessageNotContaining(k1);
        assertThatThrownBy(() -> CredentialKeys.parse("k1:" + k1 + ",k1:" + k2))
                .hasMessage("senproxy.credentials.keys: key id k1 appears twice");
        assertThatThrownBy(() -> CredentialKeys.parse(","))
                .hasMessage("senproxy.credentials.keys is set but holds" + " no key");
    }
}
