package com.idmelon.operator.reconciler;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import io.fabric8.kubernetes.api.model.Secret;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The direct read of the Secret at spec.secretName for an ApiKey seen for the first time (its Secret is not in the
 * operator's label-scoped cache, and someone else's Secret of that name must stop it before any key is created). The
 * read runs while the first key's marker and finalizer are written, and is awaited before IDmelon is called: a key
 * is still never created for a Secret the ApiKey may not write, and a new key costs no extra round trip.
 */
final class SecretCheck {
  /** Nothing under way: the Secret was in the cache or was read before the decision. */
  static final SecretCheck DONE = new SecretCheck(null);

  private static final ExecutorService READERS = Executors.newCachedThreadPool(r -> {
    Thread thread = new Thread(r, "secret-preflight");
    thread.setDaemon(true);
    return thread;
  });

  private final CompletableFuture<Optional<Secret>> read;

  private SecretCheck(CompletableFuture<Optional<Secret>> read) {
    this.read = read;
  }

  static SecretCheck start(Supplier<Optional<Secret>> read) {
    return new SecretCheck(CompletableFuture.supplyAsync(read, READERS));
  }

  /**
   * Waits for the read. Someone else's Secret throws {@link SecretConflictException} (nothing was called); one the
   * ApiKey owns after all (an earlier attempt, our label removed) throws {@link StatusStore.ChangedMeanwhileException}
   * so the reconcile starts again and decides with it.
   */
  void awaitAbsent(ApiKey apiKey) {
    if (read == null) {
      return;
    }
    Optional<Secret> found;
    try {
      found = read.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause; // a failed read (KubernetesClientException): reported as any API failure
      }
      throw e;
    }
    if (found.isPresent()) {
      if (!ManagedSecret.isOwnedBy(found.get(), apiKey)) {
        throw SecretConflictException.of(apiKey, apiKey.secretName());
      }
      throw new StatusStore.ChangedMeanwhileException();
    }
  }
}
