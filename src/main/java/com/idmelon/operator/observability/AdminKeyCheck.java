package com.idmelon.operator.observability;

import com.idmelon.operator.idmelon.IdmelonClient;
import com.idmelon.operator.idmelon.IdmelonException;
import com.idmelon.operator.idmelon.IdmelonRejectedException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks IDmelon now and then whether the operator's own admin key is accepted. Only a refusal (401, 403) counts:
 * IDmelon being unreachable says nothing about the key and must not take the operator out of service.
 */
public final class AdminKeyCheck implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AdminKeyCheck.class);
  private final IdmelonClient idmelon;
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "admin-key-check");
    thread.setDaemon(true);
    return thread;
  });
  private volatile String refusal;

  public AdminKeyCheck(IdmelonClient idmelon) {
    this.idmelon = idmelon;
  }

  /** Checks every {@code interval}, the first time one interval from now (start-up checks once by itself). */
  public AdminKeyCheck start(Duration interval) {
    scheduler.scheduleWithFixedDelay(this::check, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /** Checks now; returns the refusal, if the key is refused. */
  public Optional<String> check() {
    try {
      idmelon.verifyAdminKey();
      if (refusal != null) {
        log.info("IDmelon accepts the operator's admin key again");
      }
      refusal = null;
    } catch (IdmelonRejectedException e) {
      if (refusal == null) {
        log.error("IDmelon refuses the operator's admin key ({}): check the file at IDMELON_ADMIN_KEY_FILE", e.status());
      }
      refusal = "IDmelon refuses the operator's admin key (" + e.status() + ")";
    } catch (IdmelonException e) {
      log.debug("admin key check inconclusive: {}", e.getMessage());
    }
    return problem();
  }

  public Optional<String> problem() {
    return Optional.ofNullable(refusal);
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
