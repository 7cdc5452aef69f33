package org.senproxy;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;

/**
 * The import structure of the proxy's own classes reads top-down, with no arrow back up:
 *
 * <pre>
 * org.senproxy (SenProxy, the main class)
 *   cli                                  subcommands
 *     runtime                            Camel Main, settings, the beans by area (its *Configuration classes)
 *       observe, quoalise                what reads every flow: status, metrics, alarms; Quoalise commands
 *         outbox, inbox                  the two flows and their repositories
 *           consent                      consents and subscriptions, checked on both flows
 *             federation                 the wire: codec, signatures, peers, app keys, the XMPP link
 *               audit, catalogue, delivery, secrets, transform, connectors, switches (the kill-switch)
 *                 senml, db              the SenML model and codec; database helpers
 * </pre>
 *
 * A package may use any package below it, never one above; packages on one line may use each other as long as no
 * cycle forms, which the first rule forbids between any two packages. Flyway's Java migrations ({@code db.migration})
 * are outside {@code org.senproxy} and not checked. Tests are not checked either.
 */
@AnalyzeClasses(packages = "org.senproxy", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    /** The layers, top first: each line of the picture above. */
    private static final Map<String, List<String>> LAYERS = layers(
            "Main", "org.senproxy",
            "Cli", "org.senproxy.cli..",
            "Runtime", "org.senproxy.runtime..",
            "Services", "org.senproxy.observe.. org.senproxy.quoalise..",
            "Flows", "org.senproxy.outbox.. org.senproxy.inbox..",
            "Consent", "org.senproxy.consent..",
            "Federation", "org.senproxy.federation..",
            "Foundations",
                    "org.senproxy.audit.. org.senproxy.catalogue.. org.senproxy.delivery.."
                            + " org.senproxy.secrets.. org.senproxy.transform.. org.senproxy.connectors.."
                            + " org.senproxy.switches..",
            "Base", "org.senproxy.senml.. org.senproxy.db..");

    // @ArchTest methods rather than ArchRule fields: Surefire 3.5.3 runs no field rule (TNG/ArchUnit#1442)

    @ArchTest
    void packagesAreFreeOfCycles(JavaClasses classes) {
        slices().matching("org.senproxy.(*)..").should().beFreeOfCycles().check(classes);
    }

    @ArchTest
    void packagesOnlyUseTheLayersBelowThem(JavaClasses classes) {
        topDown().check(classes);
    }

    /** Each layer may be used by the layers above it only. */
    private static LayeredArchitecture topDown() {
        LayeredArchitecture architecture = layeredArchitecture().consideringOnlyDependenciesInLayers();
        for (Map.Entry<String, List<String>> layer : LAYERS.entrySet()) {
            architecture = architecture
                    .layer(layer.getKey())
                    .definedBy(layer.getValue().toArray(String[]::new));
        }
        List<String> names = List.copyOf(LAYERS.keySet());
        for (int i = 0; i < names.size(); i++) {
            architecture = i == 0
                    ? architecture.whereLayer(names.get(i)).mayNotBeAccessedByAnyLayer()
                    : architecture
                            .whereLayer(names.get(i))
                            .mayOnlyBeAccessedByLayers(names.subList(0, i).toArray(String[]::new));
        }
        return architecture;
    }

    private static Map<String, List<String>> layers(String... nameThenPackages) {
        Map<String, List<String>> layers = new LinkedHashMap<>();
        for (int i = 0; i < nameThenPackages.length; i += 2) {
            layers.put(nameThenPackages[i], Arrays.asList(nameThenPackages[i + 1].split(" ")));
        }
        return layers;
    }
}
