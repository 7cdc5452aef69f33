package org.senproxy.db;

import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

/** One unit of work in one database transaction: committed when it returns, rolled back when it throws. */
public final class Transactions {

    /** Work on the transaction's connection; {@code E} is a checked exception of its own, if any. */
    @FunctionalInterface
    public interface Work<T, E extends Exception> {
        T run(Connection c) throws SQLException, E;
    }

    private Transactions() {}

    public static <T, E extends Exception> T inTransaction(DataSource dataSource, Work<T, E> work)
            throws SQLException, E {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (Exception e) {
                c.rollback();
                throw e;
            }
        }
    }
}
