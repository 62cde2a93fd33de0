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
 * Asks IDmelon now and then whether the operator's own admin key is accepted. A refusal (401, 403) and an admin key
 * file that cannot be read count: IDmelon being unreachable says nothing about the key and must not take the
 * operator out of service.
 */
public final class AdminKeyCheck implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AdminKeyCheck.class);
  private final IdmelonClient idmelon;
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "admin-key-check");
    thread.setDaemon(true);
    return thread;
  });
  private volatile Problem problem;

  /** What is wrong with the admin key; {@code unreadableFile} when IDmelon was not even asked. */
  private record Problem(String message, boolean unreadableFile) {}

  public AdminKeyCheck(IdmelonClient idmelon) {
    this.idmelon = idmelon;
  }

  /** Checks every {@code interval}, the first time one interval from now (start-up checks once by itself). */
  public AdminKeyCheck start(Duration interval) {
    // check() throws nothing: a task of scheduleWithFixedDelay that throws is never run again, freezing readiness
    scheduler.scheduleWithFixedDelay(this::check, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /** Checks now; returns the problem, if the key is refused or its file cannot be read. Never throws. */
  public Optional<String> check() {
    Problem before = problem;
    try {
      idmelon.verifyAdminKey();
      if (before != null) {
        log.info("IDmelon accepts the operator's admin key again");
      }
      problem = null;
    } catch (IdmelonRejectedException e) {
      if (before == null || before.unreadableFile()) {
        log.error("IDmelon refuses the operator's admin key ({}): check the file at IDMELON_ADMIN_KEY_FILE", e.status());
      }
      problem = new Problem("IDmelon refuses the operator's admin key (" + e.status() + ")", false);
    } catch (IdmelonException e) {
      // the request was built, so the file was read; whether IDmelon accepts the key is still unknown
      if (before != null && before.unreadableFile()) {
        log.info("the admin key file can be read again");
        problem = null;
      }
      log.debug("admin key check inconclusive: {}", e.getMessage());
    } catch (RuntimeException e) {
      // AdminKeySource says what is wrong with the file (missing, empty, unusable) and never quotes its content
      String message = (e instanceof IllegalStateException ? "the admin key file cannot be read: "
          : "the admin key check failed: " + e.getClass().getSimpleName() + ": ") + e.getMessage();
      if (before == null || !before.message().equals(message)) {
        log.error("{}", message);
      }
      problem = new Problem(message, true);
    }
    return problem();
  }

  public Optional<String> problem() {
    Problem current = problem;
    return current == null ? Optional.empty() : Optional.of(current.message());
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
