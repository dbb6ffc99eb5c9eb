package dev.raftboot.spring.transport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Signs and verifies peer requests with the cluster secret, which itself never travels.
 *
 * <p>The key is HMAC-SHA256 of the cluster id under the secret, so the same secret on two clusters
 * gives two keys. A request's signature ({@value RaftHeaders#SIGNATURE}) is HMAC-SHA256 under that
 * key over the cluster id, the sender and recipient ids, the method and endpoint ({@code POST
 * messages}, {@code POST snapshot}, {@code GET identity}) and the SHA-256 of the body. It proves
 * that the sender knows the secret and binds the request to its recipient: a captured request
 * cannot be sent to another node, or to another endpoint, or with another body. Replaying it to
 * its own recipient delivers raft messages that node has already seen; raft ignores or re-answers
 * those (messages may be duplicated on any network).
 *
 * <p>An identity answer is signed over the challenge, the answering node's id and the prober's
 * id, under a different label, so no answer can be used as a request signature or vice versa.
 *
 * <p>Every holder of the secret is trusted alike: the signature tells which node a request claims
 * to come from, and a correct node never lies about that, but a node that holds the secret can
 * sign as any other. Thread-safe.
 */
public final class PeerAuthenticator {

  private static final String ALGORITHM = "HmacSHA256";
  private static final String VERSION = "v1=";
  /** Characters of every request signature: the version and 32 bytes in base64. */
  static final int SIGNATURE_LENGTH = VERSION.length() + 44;

  private final @Nullable SecretKeySpec key;

  /**
   * @param secret the cluster secret ({@code raft.transport.token}), or null to neither sign nor
   *     verify
   * @param clusterId the cluster the key is for
   */
  public PeerAuthenticator(@Nullable String secret, String clusterId) {
    if (secret == null || secret.isEmpty()) {
      this.key = null;
    } else {
      byte[] derived =
          hmac(new SecretKeySpec(utf8(secret), ALGORITHM), utf8("raftboot peer key\n" + clusterId));
      this.key = new SecretKeySpec(derived, ALGORITHM);
    }
  }

  /** Whether a secret is configured: requests are signed and signatures required. */
  public boolean enabled() {
    return key != null;
  }

  /**
   * The {@value RaftHeaders#SIGNATURE} header value of a request, or null without a secret.
   *
   * @param operation {@link RaftHeaders#MESSAGES_OPERATION}, {@link RaftHeaders#SNAPSHOT_OPERATION}
   *     or {@link RaftHeaders#IDENTITY_OPERATION}
   * @param bodyHash SHA-256 of the body (of the challenge, for an identity probe)
   */
  public @Nullable String signRequest(String clusterId, long from, long to, String operation, byte[] bodyHash) {
    SecretKeySpec k = key;
    return k == null ? null : VERSION + base64(hmac(k, requestText(clusterId, from, to, operation, bodyHash)));
  }

  /** Whether {@code signature} is this request's, compared in constant time. */
  boolean verifyRequest(
      @Nullable String signature, String clusterId, long from, long to, String operation, byte[] bodyHash) {
    SecretKeySpec k = key;
    return k != null && matches(signature, hmac(k, requestText(clusterId, from, to, operation, bodyHash)));
  }

  /** The signature of node {@code nodeId}'s answer to {@code prober}'s {@code challenge}. */
  @Nullable String signIdentity(String clusterId, long nodeId, long prober, String challenge) {
    SecretKeySpec k = key;
    return k == null ? null : VERSION + base64(hmac(k, identityText(clusterId, nodeId, prober, challenge)));
  }

  boolean verifyIdentity(
      @Nullable String signature, String clusterId, long nodeId, long prober, String challenge) {
    SecretKeySpec k = key;
    return k != null && matches(signature, hmac(k, identityText(clusterId, nodeId, prober, challenge)));
  }

  private static byte[] requestText(String clusterId, long from, long to, String operation, byte[] bodyHash) {
    return utf8(
        "raftboot request\n" + clusterId + "\n" + Long.toUnsignedString(from) + "\n"
            + Long.toUnsignedString(to) + "\n" + operation + "\n" + base64(bodyHash));
  }

  private static byte[] identityText(String clusterId, long nodeId, long prober, String challenge) {
    return utf8(
        "raftboot identity\n" + clusterId + "\n" + Long.toUnsignedString(nodeId) + "\n"
            + Long.toUnsignedString(prober) + "\n" + challenge);
  }

  private static boolean matches(@Nullable String signature, byte[] expected) {
    if (signature == null || !signature.startsWith(VERSION)) {
      return false;
    }
    byte[] given;
    try {
      given = Base64.getDecoder().decode(signature.substring(VERSION.length()).trim());
    } catch (IllegalArgumentException e) {
      return false;
    }
    return MessageDigest.isEqual(expected, given);
  }

  /** SHA-256 of {@code bytes}, as a signature covers the body. */
  public static byte[] sha256(byte[] bytes) {
    return sha256().digest(bytes);
  }

  /** SHA-256 of {@code bytes[offset, offset + length)}. */
  static byte[] sha256(byte[] bytes, int offset, int length) {
    MessageDigest d = sha256();
    d.update(bytes, offset, length);
    return d.digest();
  }

  static byte[] sha256(InputStream in) throws IOException {
    MessageDigest d = sha256();
    byte[] buf = new byte[64 * 1024];
    for (int n; (n = in.read(buf)) >= 0; ) {
      d.update(buf, 0, n);
    }
    return d.digest();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }

  private static byte[] hmac(SecretKeySpec key, byte[] text) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return mac.doFinal(text);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required of every JDK", e);
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String base64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  @Override
  public String toString() {
    return key == null ? "PeerAuthenticator[none]" : "PeerAuthenticator[HMAC-SHA256]";
  }
}
