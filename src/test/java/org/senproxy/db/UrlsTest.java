package org.senproxy.db;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UrlsTest {

    @Test
    void everyPasswordAUrlCarriesIsRedacted() {
        assertThat(Urls.redacted("jdbc:postgresql://db:5432/senproxy?user=a&password=s3cret&ssl=true"))
                .isEqualTo("jdbc:postgresql://db:5432/senproxy?user=a&password=***&ssl=true");
        assertThat(Urls.redacted("jdbc:postgresql://db/x?PASSWORD=s3cret;sslpassword=k3y"))
                .isEqualTo("jdbc:postgresql://db/x?PASSWORD=***;sslpassword=***");
        assertThat(Urls.redacted("https://user:s3cret@api.example.org/v1?q=1"))
                .isEqualTo("https://user:***@api.example.org/v1?q=1");
        assertThat(Urls.redacted("jdbc:postgresql://db:5432/senproxy")).isEqualTo("jdbc:postgresql://db:5432/senproxy");
    }
}
