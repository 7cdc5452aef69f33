package org.senproxy.secrets;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Encrypts the credentials of one user_app row with AES-256-GCM, the JDK's own ({@code javax.crypto}, provider
 * SunJCE): nothing cryptographic is written here, this class only lays out the bytes and names what went wrong.
 *
 * <p>The stored value (column {@code user_app.credentials}) describes itself, so that it can be read after the key
 * has changed:
 *
 * <pre>
 * offset   size  field
 * 0        1     format version, 1
 * 1        1     n, the length of the key id
 * 2        n     key id (ASCII), the {@link CredentialKeys} entry it was written with
 * 2+n      8     the user_app row id it belongs to, big-endian
 * 10+n     12    IV: 96 random bits, new for every encryption (SecureRandom)
 * 22+n     ...   AES-256-GCM ciphertext of the secret (UTF-8), then its 128-bit tag
 * </pre>
 *
 * The first 10+n bytes (version, key id, row id) are GCM's associated data: they are not secret, but any change to
 * them, like any change to the ciphertext, fails the tag. So a value copied to another row does not decrypt there (the
 * row id is bound, and stored in clear only to say so plainly), nor does a value whose key id was edited. With random
 * 96-bit IVs one key should encrypt fewer than 2^32 values (NIST SP 800-38D); rotating resets the count.
 */
public final class CredentialCipher {

    static final byte VERSION = 1;
    private static final String TRANSFORMATION = "AES/GCM/NoPadding";
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final int ROW_ID_BYTES = 8;

    private final CredentialKeys keys;
    private final SecureRandom random = new SecureRandom();

    public CredentialCipher(CredentialKeys keys) {
        this.keys = keys;
    }

    public CredentialKeys keys() {
        return keys;
    }

    /** The stored form of a secret for this row, under the current key. */
    public byte[] encrypt(long rowId, Secret secret) {
        String keyId = keys.currentId();
        byte[] header = header(keyId, rowId);
        byte[] iv = new byte[IV_BYTES];
        random.nextBytes(iv);
        byte[] plain = secret.bytes();
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.ENCRYPT_MODE, keys.current(), new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(header);
            byte[] sealed = cipher.doFinal(plain);
            return ByteBuffer.allocate(header.length + IV_BYTES + sealed.length)
                    .put(header)
                    .put(iv)
                    .put(sealed)
                    .array();
        } catch (GeneralSecurityException e) {
            // AES/GCM is in every JDK; this means a broken runtime, and says nothing of the key or the secret
            throw new IllegalStateException(
                    "AES-GCM encryption failed: " + e.getClass().getSimpleName());
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    /** The secret of a row's stored value; a {@link CredentialsException} says why it cannot be read. */
    public Secret decrypt(long rowId, byte[] stored) {
        Header header = parse(rowId, stored);
        SecretKey key = keys.get(header.keyId());
        if (key == null) {
            throw new CredentialsException(
                    rowId,
                    CredentialsException.Problem.UNKNOWN_KEY,
                    "written with key "
                            + header.keyId() + ", which is not configured (configured: " + String.join(", ", keys.ids())
                            + "); restore that key, or store the credentials again");
        }
        byte[] plain = null;
        try {
            Cipher cipher = Cipher.getInstance(TRANSFORMATION);
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, stored, header.length(), IV_BYTES));
            cipher.updateAAD(stored, 0, header.length());
            plain = cipher.doFinal(stored, header.length() + IV_BYTES, stored.length - header.length() - IV_BYTES);
            return Secret.of(plain);
        } catch (AEADBadTagException e) {
            throw new CredentialsException(
                    rowId,
                    CredentialsException.Problem.NOT_AUTHENTIC,
                    "does not authenticate"
                            + " under key " + header.keyId() + ": the key configured as " + header.keyId()
                            + " is not the"
                            + " one it was written with, or the stored bytes were altered");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(
                    "AES-GCM decryption failed: " + e.getClass().getSimpleName());
        } finally {
            if (plain != null) {
                Arrays.fill(plain, (byte) 0);
            }
        }
    }

    /** The id of the key a row's stored value was written with (read from its header, not decrypted). */
    public String keyId(long rowId, byte[] stored) {
        return parse(rowId, stored).keyId();
    }

    private static byte[] header(String keyId, long rowId) {
        byte[] id = keyId.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(2 + id.length + ROW_ID_BYTES)
                .put(VERSION)
                .put((byte) id.length)
                .put(id)
                .putLong(rowId)
                .array();
    }

    private record Header(String keyId, int length) {}

    private static Header parse(long rowId, byte[] stored) {
        if (stored == null || stored.length < 2) {
            throw malformed(rowId, "too short to be sen-proxy credentials");
        }
        if (stored[0] != VERSION) {
            throw malformed(
                    rowId, "format version " + (stored[0] & 0xff) + " is unknown (this proxy reads " + VERSION + ")");
        }
        int idLength = stored[1] & 0xff;
        int headerLength = 2 + idLength + ROW_ID_BYTES;
        if (idLength == 0 || stored.length < headerLength + IV_BYTES + TAG_BITS / 8) {
            throw malformed(rowId, "too short to be sen-proxy credentials");
        }
        String keyId = new String(stored, 2, idLength, StandardCharsets.US_ASCII);
        if (!CredentialKeys.isKeyId(keyId)) {
            throw malformed(rowId, "its key id is not one (" + CredentialKeys.KEY_ID_PATTERN_TEXT + ")");
        }
        long writtenFor = ByteBuffer.wrap(stored, 2 + idLength, ROW_ID_BYTES).getLong();
        if (writtenFor != rowId) {
            throw new CredentialsException(
                    rowId,
                    CredentialsException.Problem.OTHER_ROW,
                    "written for row " + writtenFor + ", copied or moved here: refused");
        }
        return new Header(keyId, headerLength);
    }

    private static CredentialsException malformed(long rowId, String detail) {
        return new CredentialsException(rowId, CredentialsException.Problem.MALFORMED, detail);
    }
}
