package org.senproxy.consent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.senproxy.senml.Glob;

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
        assertThat(dots.covers("axb_power"))
                .as("a dot is a dot, not a regex wildcard")
                .isFalse();
        assertThat(Scope.parse("(a+)+*").covers("(a+)+_x")).isTrue();
    }

    @Test
    void severalPatternsCommaSeparatedAndStarsInTheMiddle() {
        Scope scope = Scope.parse("urn:dev:1_power, urn:dev:*_energy");
        assertThat(scope.covers("urn:dev:1_power")).isTrue();
        assertThat(scope.covers("urn:dev:1_power2"))
                .as("no star: the exact name")
                .isFalse();
        assertThat(scope.covers("urn:dev:7_energy")).isTrue();
        assertThat(scope.covers("urn:dev:7_energy/reset")).isFalse();
        assertThat(Scope.parse("*").covers("anything")).isTrue();
    }

    @Test
    void anEmptyScopeOrPatternIsRefused() {
        assertThatThrownBy(() -> Scope.parse(" ")).hasMessageContaining("at least one series pattern");
        assertThatThrownBy(() -> Scope.parse("a*,,b")).hasMessageContaining("empty pattern");
    }

    /**
     * The review's attack: a 4,000-character name against urn:dev:prm:*_*_*_power took 73 s as a regular expression
     * (cubic growth), stalling inbound threads. Matched as a glob, a name 25 times longer is answered at once; the
     * bound is generous so that a slow machine cannot fail it, and a backtracking matcher could not pass it.
     */
    @Test
    void anAdversarialNameIsMatchedWithoutBacktracking() {
        Scope scope = Scope.parse("urn:dev:prm:*_*_*_power");
        String name = "urn:dev:prm:" + "_".repeat(100_000) + "x";
        assertTimeoutPreemptively(
                Duration.ofSeconds(10), () -> assertThat(scope.covers(name)).isFalse());
        assertThat(scope.covers("urn:dev:prm:1_a_b_power")).isTrue();
        assertThat(scope.covers("urn:dev:prm:1_a_power")).isFalse();
        assertThat(Glob.of("a*b*c").matches("axxbyyc")).isTrue();
        assertThat(Glob.of("a*b*c").matches("axxbyy")).isFalse();
        assertThat(Glob.of("**").matches("")).isTrue();
        assertThat(Glob.of("*x").matches("xxxx")).isTrue();
    }

    @Test
    void aTrailingStarInsideASegmentIsWarnedOf() {
        assertThat(Scope.parse("urn:dev:mac:0004a3*").warnings())
                .singleElement()
                .asString()
                .contains("covers every name that starts with 'urn:dev:mac:0004a3'")
                .contains("'urn:dev:mac:0004a3_*'");
        assertThat(Scope.parse("urn:dev:mac:0004a3_*, urn:dev:mac:0004a4:*, *, a/b/*, urn:dev:1_power")
                        .warnings())
                .isEmpty();
    }
}
