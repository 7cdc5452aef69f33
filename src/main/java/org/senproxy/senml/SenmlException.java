package org.senproxy.senml;

/**
 * A SenML document or record that cannot be accepted: bad syntax, a wrong field type, or a record that breaks a
 * rule of RFC 8428.
 *
 * <p>The message names where the problem is, for example
 * {@code record 3, field 'v': two value fields (v and vs); a record has exactly one} or
 * {@code pack: not a JSON array (got an object)}. It is safe to pass on to a peer: control characters are escaped
 * and it is at most a few hundred characters long.
 */
public class SenmlException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private static final int MAX_PROBLEM_LENGTH = 300;

    private final int recordIndex;
    private final String field;
    private final String problem;

    /**
     * @param recordIndex 0-based index of the record in the pack, or -1 when the problem is about the whole document
     * @param field       the SenML field label (for example {@code "v"}), or {@code null}
     * @param problem     what is wrong, without the location
     */
    public SenmlException(int recordIndex, String field, String problem) {
        this(recordIndex, field, problem, null);
    }

    /** Same as {@link #SenmlException(int, String, String)}, keeping the exception that revealed the problem. */
    public SenmlException(int recordIndex, String field, String problem, Throwable cause) {
        super(location(recordIndex, field) + ": " + Text.printable(problem, MAX_PROBLEM_LENGTH), cause);
        this.recordIndex = recordIndex;
        this.field = field;
        this.problem = problem;
    }

    /** 0-based index of the offending record in the pack, or -1 when the problem is about the whole document. */
    public int recordIndex() {
        return recordIndex;
    }

    /** The SenML label of the offending field (for example {@code "v"}, {@code "bn"}), or {@code null}. */
    public String field() {
        return field;
    }

    /** What is wrong, without the "record N, field 'x'" prefix of {@link #getMessage()}. */
    public String problem() {
        return problem;
    }

    private static String location(int recordIndex, String field) {
        String where = recordIndex < 0 ? "pack" : "record " + recordIndex;
        return field == null ? where : where + ", field '" + Text.printable(field, 40) + "'";
    }
}
