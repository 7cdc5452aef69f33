package org.senproxy.observe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.senproxy.observe.StatusAccess.Role;

/** Who may read and who may act, by the bearer token of a request. */
class StatusAccessTest {

    @Test
    void theReadTokenReadsAndTheAdminTokenActs() {
        StatusAccess access = new StatusAccess("admin-secret", "read-secret");
        assertThat(access.role("Bearer admin-secret")).isEqualTo(Role.ADMIN);
        assertThat(access.role("Bearer read-secret")).isEqualTo(Role.READ);
        assertThat(access.role("bearer read-secret"))
                .as("the scheme is case-insensitive")
                .isEqualTo(Role.READ);
        assertThat(access.role(null)).isEqualTo(Role.NONE);
        assertThat(access.role("Bearer ")).isEqualTo(Role.NONE);
        assertThat(access.role("Bearer read-secre")).isEqualTo(Role.NONE);
        assertThat(access.role("Bearer read-secretx")).isEqualTo(Role.NONE);
        assertThat(access.role("read-secret")).as("no scheme").isEqualTo(Role.NONE);
        assertThat(access.role("Basic read-secret")).isEqualTo(Role.NONE);
        assertThat(access.open()).isFalse();
        assertThat(access.toString())
                .isEqualTo("StatusAccess[admin token set, read token set]")
                .doesNotContain("secret");
    }

    @Test
    void oneTokenAloneClosesReadingToo() {
        StatusAccess adminOnly = new StatusAccess("admin-secret", null);
        assertThat(adminOnly.role(null)).isEqualTo(Role.NONE);
        assertThat(adminOnly.role("Bearer admin-secret")).isEqualTo(Role.ADMIN);
        StatusAccess readOnly = new StatusAccess(" ", "read-secret");
        assertThat(readOnly.role("Bearer read-secret")).isEqualTo(Role.READ);
        assertThat(readOnly.role("Bearer "))
                .as("an unset admin token matches nothing")
                .isEqualTo(Role.NONE);
        assertThat(readOnly.role(null)).isEqualTo(Role.NONE);
    }

    @Test
    void withoutAnyTokenEveryoneReadsAndNoOneActs() {
        StatusAccess open = new StatusAccess(null, "");
        assertThat(open.open()).isTrue();
        assertThat(open.role(null)).isEqualTo(Role.READ);
        assertThat(open.role("Bearer anything")).isEqualTo(Role.READ);
    }
}
