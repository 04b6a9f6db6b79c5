package io.poolpair.batch;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Optional encryption of batch entries at rest on the share ({@code poolpair.encrypt=true}): AES-256-GCM under a
 * key derived from the pair's key, in chunks of 64 KiB so that a file of any size streams. Each entry starts with
 * an 8-byte random salt; chunk {@code i} uses the nonce {@code salt || i} and is authenticated together with the
 * entry's name and whether it is the last chunk, so chunks cannot be reordered, moved to another entry or cut off.
 */
public final class EntryCipher {

    public static final String ALGORITHM = "AES-256-GCM-64KiB-chunks";
    private static final int CHUNK = 64 * 1024;
    private static final int TAG_BYTES = 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;

    public EntryCipher(byte[] pairKey) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(pairKey, "HmacSHA256"));
            this.key = new SecretKeySpec(mac.doFinal("poolpair batch encryption v1".getBytes(StandardCharsets.US_ASCII)), "AES");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Encrypts what is written to it into {@code out}; closing it writes the last chunk and leaves {@code out} open. */
    public OutputStream encrypting(OutputStream out, String entryName) {
        return new OutputStream() {
            private final byte[] salt = new byte[8];
            private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(CHUNK);
            private int index;
            private boolean started;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                start();
                while (len > 0) {
                    if (buffer.size() == CHUNK) {
                        emit(false);
                    }
                    int n = Math.min(len, CHUNK - buffer.size());
                    buffer.write(b, off, n);
                    off += n;
                    len -= n;
                }
            }

            private void start() throws IOException {
                if (!started) {
                    RANDOM.nextBytes(salt);
                    out.write(salt);
                    started = true;
                }
            }

            private void emit(boolean last) throws IOException {
                out.write(crypt(Cipher.ENCRYPT_MODE, salt, index++, last, entryName, buffer.toByteArray()));
                buffer.reset();
            }

            @Override
            public void close() throws IOException {
                start();
                emit(true);
                out.flush();
            }
        };
    }

    /** Decrypts and authenticates an entry written by {@link #encrypting}; a tampered entry fails with an IOException. */
    public InputStream decrypting(InputStream in, String entryName) throws IOException {
        PushbackInputStream source = new PushbackInputStream(in, 1);
        byte[] salt = source.readNBytes(8);
        if (salt.length != 8) {
            throw new EOFException(entryName + ": encrypted entry is too short");
        }
        return new InputStream() {
            private byte[] plain = new byte[0];
            private int pos;
            private int index;
            private boolean done;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                while (pos == plain.length) {
                    if (done) {
                        return -1;
                    }
                    byte[] sealed = source.readNBytes(CHUNK + TAG_BYTES);
                    int next = source.read();
                    boolean last = next < 0;
                    if (!last) {
                        source.unread(next);
                    }
                    plain = crypt(Cipher.DECRYPT_MODE, salt, index++, last, entryName, sealed);
                    pos = 0;
                    done = last;
                }
                int n = Math.min(len, plain.length - pos);
                System.arraycopy(plain, pos, b, off, n);
                pos += n;
                return n;
            }
        };
    }

    private byte[] crypt(int mode, byte[] salt, int index, boolean last, String entryName, byte[] data) throws IOException {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            byte[] nonce = ByteBuffer.allocate(12).put(salt).putInt(index).array();
            cipher.init(mode, key, new GCMParameterSpec(TAG_BYTES * 8, nonce));
            cipher.updateAAD((entryName + (last ? "|last" : "|more")).getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IOException(entryName + ": encrypted chunk " + index + " failed authentication (" + e.getClass()
                    .getSimpleName() + ")", e);
        }
    }
}
