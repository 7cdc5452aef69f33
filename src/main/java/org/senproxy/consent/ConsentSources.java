package org.senproxy.consent;

import java.sql.Array;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import javax.sql.DataSource;

import org.senproxy.audit.AuditEvent;
import org.senproxy.audit.AuditTrail;
import org.senproxy.db.Sql;
import org.senproxy.db.Transactions;

/**
 * The sources of a consent granted on a request ({@link ConsentRequests#approve}) follow the catalogue: each local
 * connector that declares a series the consent's scope may cover sends under it, including one that starts declaring
 * such a series later (a new meter). No {@code --source} by hand: the connectors' series declarations say which
 * connector yields which series. Run on the control timer by every replica; a consent is locked while its sources are
 * added, so two replicas add each source once.
 */
public class ConsentSources {

    private static final Sql WANTED = Sql.of(ConsentSources.class, "sources-wanted");
    private static final Sql LOCK = Sql.of(ConsentSources.class, "sources-lock");
    private static final Sql EXISTING = Sql.of(ConsentSources.class, "sources-existing");
    private static final Sql CONSUMER = Sql.of(ConsentSources.class, "consent-consumer");

    /** A consent in force granted on a request, with its sources. */
    private record Wanted(long id, String ref, long appId, long userId, Scope scope, List<String> sources) {}

    private final DataSource dataSource;
    private final AuditTrail audit;
    private final Supplier<Map<String, List<String>>> declared;

    /** @param declared the series identifiers each connector (route id) declares, read from the catalogue */
    public ConsentSources(DataSource dataSource, AuditTrail audit, Supplier<Map<String, List<String>>> declared) {
        this.dataSource = dataSource;
        this.audit = audit;
        this.declared = declared;
    }

    /**
     * Adds, to every consent granted on a request, the sources its scope now covers and it does not have yet.
     *
     * @return how many sources were added
     */
    public int reconcile() throws SQLException {
        List<Wanted> wanted;
        try (Connection c = dataSource.getConnection()) {
            wanted = WANTED.query(c, WANTED.params(), rs -> {
                Array sources = rs.getArray(6);
                return new Wanted(
                        rs.getLong(1),
                        rs.getString(2),
                        rs.getLong(3),
                        rs.getLong(4),
                        Scope.parse(rs.getString(5)),
                        Arrays.asList((String[]) sources.getArray()));
            });
        }
        if (wanted.isEmpty()) {
            return 0;
        }
        Map<String, List<String>> connectors = declared.get();
        int added = 0;
        for (Wanted consent : wanted) {
            List<String> missing = new ArrayList<>();
            connectors.forEach((connector, identifiers) -> {
                if (!consent.sources().contains(connector)
                        && identifiers.stream().anyMatch(consent.scope()::mayCover)) {
                    missing.add(connector);
                }
            });
            if (!missing.isEmpty()) {
                added += add(consent, missing);
            }
        }
        return added;
    }

    private int add(Wanted consent, List<String> candidates) throws SQLException {
        return Transactions.inTransaction(dataSource, c -> {
            if (LOCK.one(c, LOCK.params().set("consent_id", consent.id()), rs -> rs.getLong(1)) == null) {
                return 0; // revoked meanwhile
            }
            List<String> existing =
                    EXISTING.query(c, EXISTING.params().set("consent_id", consent.id()), rs -> rs.getString(1));
            List<String> sources =
                    candidates.stream().filter(s -> !existing.contains(s)).toList();
            if (sources.isEmpty()) {
                return 0;
            }
            CONSUMER.batch(
                    c,
                    sources,
                    (source, p) -> p.text("source", source)
                            .set("app_id", consent.appId())
                            .set("user_id", consent.userId())
                            .set("consent_id", consent.id()));
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("consent", consent.ref());
            detail.put("sources", sources);
            detail.put("scope", consent.scope().text());
            audit.append(
                    c,
                    List.of(AuditEvent.of(
                            "consent.sources-added", AuditTrail.PROXY_ACTOR, null, consent.ref(), detail)));
            return sources.size();
        });
    }
}
