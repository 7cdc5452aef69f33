package org.senproxy.testing;

import java.util.List;

/**
 * The SQL that sets up a consent-gated exchange in a test database, as an operator's commands would (consents grant,
 * subscriptions add): on the sending side a data owner's consent for app {@code app} and a consumer of {@code source}
 * under it; on the receiving side the subscription that accepts it.
 */
public final class Consented {

    /** The ref of the consent the tests' federations send under. */
    public static final String REF = "6f1d2c1e-3a4b-4c5d-8e9f-0a1b2c3d4e5f";

    private Consented() {}

    /**
     * Sending side: app {@code app} (already registered) gets {@code scope} for a day, for data measured since 2000
     * (the fixtures' times are in the past), and {@code source} sends to it.
     */
    public static List<String> sender(String source, String app, String scope, String ref) {
        return sender(List.of(source), app, scope, ref);
    }

    /** The same, each of {@code sources} sending to the app under the one consent. */
    public static List<String> sender(List<String> sources, String app, String scope, String ref) {
        List<String> sql = new java.util.ArrayList<>(List.of(
                "INSERT INTO federated_user (external_id) VALUES ('owner-1') ON CONFLICT DO NOTHING",
                "INSERT INTO consent (ref, user_id, app_id, scope, valid_until, data_from, granted_by)"
                        + " SELECT '" + ref + "', u.id, a.id, '" + scope + "', now() + interval '1 day',"
                        + " '2000-01-01T00:00:00Z', 'test'"
                        + " FROM federated_user u, app a WHERE u.external_id = 'owner-1' AND a.name = '" + app + "'"));
        for (String source : sources) {
            sql.add("INSERT INTO consumer (source, app_id, user_id, consent_id)" + " SELECT '" + source
                    + "', app_id, user_id, id FROM consent WHERE ref = '" + ref + "'");
        }
        return sql;
    }

    /** Receiving side: this proxy accepts {@code scope} from app {@code app} (already registered) under {@code ref}. */
    public static String receiver(String app, String scope, String ref) {
        return "INSERT INTO subscription (app_id, consent_ref, scope) SELECT id, '" + ref + "', '" + scope + "'"
                + " FROM app WHERE name = '" + app + "'";
    }
}
