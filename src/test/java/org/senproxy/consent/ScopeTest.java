package org.senproxy.consent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ScopeTest {

    @Test
    void aStarStandsForAnyRunOfCharactersAndTheRestIsLiteral() {
        Scope meter = Scope.parse("urn:dev:mac:0004a3*");
        assertThat(meter.covers("urn:dev:mac:0004a3_power")).isTrue();
        assertThat(meter.covers("urn:dev:mac:0004a3")).isTrue();
        assertThat(meter.covers("urn:dev:mac:0004a4_power")).isFalse();
        assertThat(meter.covers("x-urn:dev:mac:0004a3_power")).isFalse();

        Scope dots = Scope.parse("a.b*");
        assertThat(dots.covers("a.b_power")).isTrue();
        assertThat(dots.covers("axb_power")).as("a dot is a dot, not a regex wildcard").isFalse();
        assertThat(Scope.parse("(a+)+*").covers("(a+)+_x")).isTrue();
    }

    @Test
    void severalPatternsCommaSeparatedAndStarsInTheMiddle() {
        Scope scope = Scope.parse("urn:dev:1_power, urn:dev:*_energy");
        assertThat(scope.covers("urn:dev:1_power")).isTrue();
        assertThat(scope.covers("urn:dev:1_power2")).as("no star: the exact name").isFalse();
        assertThat(scope.covers("urn:dev:7_energy")).isTrue();
        assertThat(scope.covers("urn:dev:7_energy/reset")).isFalse();
        assertThat(Scope.parse("*").covers("anything")).isTrue();
    }

    @Test
    void anEmptyScopeOrPatternIsRefused() {
        assertThatThrownBy(() -> Scope.parse(" ")).hasMessageContaining("at least one series pattern");
        assertThatThrownBy(() -> Scope.parse("a*,,b")).hasMessageContaining("empty pattern");
    }
}
