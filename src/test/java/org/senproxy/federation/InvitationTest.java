package org.senproxy.federation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.junit.jupiter.api.Test;

/** The invitation string and the proof of its secret. */
class InvitationTest {

    private final Invitation invitation = Invitation.create("proxy-a@example.org", "thumb-a");

    @Test
    void anInvitationReadsBackAsWrittenAndHidesItsSecretFromLogs() {
        String text = invitation.encode();
        assertThat(text).startsWith("senproxy-invite:v1:").doesNotContain("=").doesNotContain("+");
        assertThat(Invitation.parse(text)).isEqualTo(invitation);
        assertThat(Invitation.parse("  " + text + "\n")).isEqualTo(invitation);
        assertThat(invitation.toString()).doesNotContain(invitation.secret());
        assertThat(Invitation.create("proxy-a@example.org", "thumb-a").secret()).isNotEqualTo(invitation.secret());
    }

    @Test
    void aDamagedOrForeignStringIsRefusedSayingWhy() {
        String text = invitation.encode();
        assertThatThrownBy(() -> Invitation.parse("hello")).hasMessageContaining("not an invitation");
        assertThatThrownBy(() -> Invitation.parse("senproxy-invite:v2:abc")).hasMessageContaining("another version");
        assertThatThrownBy(() -> Invitation.parse(text.substring(0, text.length() - 5)))
                .hasMessageContaining("damaged");
        String noJid = "senproxy-invite:v1:"
                + Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString(
                                "{\"id\":\"x\",\"jid\":\"nobody\",\"secret\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\",\"fingerprint\":\"f\"}"
                                        .getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> Invitation.parse(noJid)).hasMessageContaining("not a bare JID");
        String noSecret = "senproxy-invite:v1:"
                + Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString("{\"id\":\"x\",\"jid\":\"a@b\",\"fingerprint\":\"f\"}"
                                .getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> Invitation.parse(noSecret)).hasMessageContaining("no valid secret");
    }

    @Test
    void theProofBindsTheInvitationTheJoiningAddressItsKeyTheNonceAndTheMessage() {
        String key = invitation.proofKey();
        String proof = Invitation.proof(key, invitation.id(), "proxy-b@example.org", "thumb-b", "n1", "m1");
        assertThat(Invitation.proofMatches(key, invitation.id(), "proxy-b@example.org", "thumb-b", "n1", "m1", proof))
                .isTrue();
        assertThat(Invitation.proofMatches(key, "other", "proxy-b@example.org", "thumb-b", "n1", "m1", proof))
                .isFalse();
        assertThat(Invitation.proofMatches(key, invitation.id(), "proxy-c@example.org", "thumb-b", "n1", "m1", proof))
                .isFalse();
        assertThat(Invitation.proofMatches(key, invitation.id(), "proxy-b@example.org", "thumb-c", "n1", "m1", proof))
                .isFalse();
        assertThat(Invitation.proofMatches(key, invitation.id(), "proxy-b@example.org", "thumb-b", "n2", "m1", proof))
                .isFalse();
        assertThat(Invitation.proofMatches(key, invitation.id(), "proxy-b@example.org", "thumb-b", "n1", "m2", proof))
                .isFalse();
        assertThat(Invitation.proofMatches(key, invitation.id(), "proxy-b@example.org", "thumb-b", "n1", "m1", "!!"))
                .isFalse();
        String otherSecret = Invitation.create("proxy-a@example.org", "thumb-a").proofKey();
        assertThat(Invitation.proofMatches(
                        otherSecret, invitation.id(), "proxy-b@example.org", "thumb-b", "n1", "m1", proof))
                .isFalse();
        // the key kept by the inviting proxy is not the secret
        assertThat(key).isNotEqualTo(invitation.secret());
    }
}
