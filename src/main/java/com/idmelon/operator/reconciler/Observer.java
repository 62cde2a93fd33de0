package com.idmelon.operator.reconciler;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.ApiKeyStatus;
import com.idmelon.operator.idmelon.IdmelonKey;
import com.idmelon.operator.idmelon.KeyType;
import com.idmelon.operator.reconciler.NextStep.KeyState;
import com.idmelon.operator.reconciler.NextStep.SecretState;
import io.fabric8.kubernetes.api.model.Secret;
import java.time.Instant;
import java.util.Optional;

/**
 * Observes what the decision needs: the ApiKey's Secret (cached, else read directly) and whether its key still
 * lives in IDmelon. Changes nothing but a lost status field it can prove (the Secret a finished move wrote).
 */
final class Observer {
  private final SecretWriter secrets;
  private final KeyInventory inventory;

  Observer(SecretWriter secrets, KeyInventory inventory) {
    this.secrets = secrets;
    this.inventory = inventory;
  }

  /**
   * The Secret at spec.secretName if this ApiKey owns it. Not in the label-scoped cache means missing, unlabelled
   * (someone removed our label: still ours) or someone else's: a direct read tells, before anything is issued.
   */
  Optional<Secret> ownSecret(ApiKey apiKey) {
    String namespace = apiKey.getMetadata().getNamespace();
    Optional<Secret> secret = secrets.find(namespace, apiKey.secretName());
    if (secret.isEmpty()) {
      secret = secrets.read(namespace, apiKey.secretName());
    }
    if (secret.isPresent() && !ManagedSecret.isOwnedBy(secret.get(), apiKey)) {
      throw SecretConflictException.of(apiKey, apiKey.secretName());
    }
    return secret;
  }

  /** The type the Secret says was issued: only to report a changed spec.type, never to pick a key. */
  static KeyType issuedType(Optional<Secret> secret) {
    return secret.flatMap(ManagedSecret::published).map(ManagedSecret.Published::type).orElse(null);
  }

  SecretState secretState(Turn t) {
    ApiKeyStatus status = t.status();
    if (t.secret().isPresent()) {
      boolean intact = status.getFingerprint() != null
          && ManagedSecret.actualFingerprint(t.secret().get()).filter(status.getFingerprint()::equals).isPresent();
      if (intact && status.getKeyId() != null) {
        status.setSecretName(t.apiKey().secretName()); // a move whose status write was lost
      }
      return intact ? SecretState.INTACT : SecretState.DRIFTED;
    }
    return previousSecret(t).isPresent() ? SecretState.AT_PREVIOUS_NAME : SecretState.ABSENT;
  }

  /** The Secret the status names, when spec.secretName moved away from it and it still holds the live value. */
  Optional<Secret> previousSecret(Turn t) {
    ApiKeyStatus status = t.status();
    if (status.getSecretName() == null || status.getSecretName().equals(t.apiKey().secretName())) {
      return Optional.empty();
    }
    return secrets.find(t.apiKey().getMetadata().getNamespace(), status.getSecretName())
        .filter(s -> ManagedSecret.isOwnedBy(s, t.apiKey()))
        .filter(s -> ManagedSecret.actualFingerprint(s).filter(f -> f.equals(status.getFingerprint())).isPresent());
  }

  /**
   * What IDmelon says about the current key. The shared key list only raises a doubt; a read of the key's id settles
   * it, so a wrong, truncated or late list never makes the operator replace a live key.
   */
  KeyState keyState(Turn t) {
    ApiKeyStatus status = t.status();
    if (status.getKeyId() == null) {
      return KeyState.PRESENT;
    }
    KeyInventory.Verdict hint = inventory.check(t.apiKey(), status.getKeyId(), KeyTimes.parse(status.getIssuedAt()),
        t.now());
    boolean early = hint == KeyInventory.Verdict.EXPIRED && KeyInventory.expiresLater(t.apiKey(), t.now());
    if (hint != KeyInventory.Verdict.MISSING && !early) {
      return KeyState.PRESENT;
    }
    Optional<IdmelonKey> read = t.idmelon().read(status.getKeyId());
    if (read.isEmpty()) {
      return KeyState.GONE;
    }
    inventory.confirmed(t.apiKey(), read.get());
    return read.get().isExpiredAt(t.now()) && KeyInventory.expiresLater(t.apiKey(), t.now())
        ? KeyState.EXPIRED_EARLY : KeyState.PRESENT;
  }

}
