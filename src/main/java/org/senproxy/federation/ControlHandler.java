package org.senproxy.federation;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Set;

/**
 * What one area does with its control messages ({@link ControlMessages}): enrollment ({@link Enrollments}), keys
 * ({@link KeyRotation}), consents ({@code consent.ConsentRequests}). Each runs in the transaction that records the
 * message and its answer: what it writes and the answer commit together.
 */
public interface ControlHandler {

    /** The control types this handler reads. */
    Set<String> types();

    /** The audit kind of a refusal of one of its messages ({@code enrollment.refused}...). */
    String refusalKind();

    /**
     * Handles one control message: writes what it means, audits it, queues any answer ({@link ControlMessages#queue}).
     *
     * @param detail filled with what the audit entry of a refusal should say too
     * @throws ControlRefused with the reason the sender is told; nothing the handler wrote is kept
     */
    void handle(Connection c, ControlCodec.Received message, Map<String, Object> detail) throws SQLException;

    /** After the transaction that accepted a message of one of its types committed (forget what was remembered). */
    default void committed(ControlCodec.Received message) {}

    /**
     * A message of one of its types was refused by the peer, or never acknowledged (dead): undo what waited for it.
     *
     * @param detail the audit entry's detail, to complete
     */
    default void refusedByPeer(
            Connection c, String peerJid, String type, String about, String reason, Map<String, Object> detail)
            throws SQLException {}
}
