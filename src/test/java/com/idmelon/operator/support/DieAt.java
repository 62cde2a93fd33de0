package com.idmelon.operator.support;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.reconciler.Checkpoints;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Makes the operator die at one point for one ApiKey (any ApiKey when {@code name} is null): from then on it does
 * nothing at all, like a dead process. Start an operator with it, trigger the work, await the death, restart.
 */
public final class DieAt implements Checkpoints {
  private final Point point;
  private final String name;
  private final CountDownLatch died = new CountDownLatch(1);
  private volatile boolean dead;

  public DieAt(Point point, String name) {
    this.point = point;
    this.name = name;
  }

  @Override
  public void reached(Point reached, ApiKey apiKey) {
    if (!dead && reached == point && (name == null || name.equals(apiKey.getMetadata().getName()))) {
      dead = true;
      died.countDown();
    }
    if (dead) {
      throw new IllegalStateException("simulated crash at " + point);
    }
  }

  public void awaitDeath() throws InterruptedException {
    assertTrue(died.await(20, TimeUnit.SECONDS), "the operator reached " + point);
  }
}
