package org.senproxy.outbox;

/**
 * One active row of the consumer table: records of a source whose name starts with {@code seriesPrefix}
 * go to the app at {@code recipientJid}, renamed from one name prefix to another when a mapping is set.
 */
public record Subscription(long consumerId, String recipientJid, String seriesPrefix, String renameFrom,
        String renameTo) {

    public boolean covers(String name) {
        return name.startsWith(seriesPrefix);
    }

    /** The record's name as the recipient knows it. */
    public String rename(String name) {
        if (renameFrom != null && name.startsWith(renameFrom)) {
            return renameTo + name.substring(renameFrom.length());
        }
        return name;
    }
}
