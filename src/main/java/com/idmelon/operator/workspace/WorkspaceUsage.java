package com.idmelon.operator.workspace;

import java.time.Instant;

/** What the ApiKeys of a workspace are, as the operator's ApiKey cache knows them. */
public interface WorkspaceUsage {
  /** How many ApiKeys use the workspace. */
  int apiKeys(WorkspaceId workspace);

  /** How many of them hold a key. */
  int issued(WorkspaceId workspace);

  /** How many of them hold a key issued, reset or replaced at or after {@code since}. */
  int rotatedSince(WorkspaceId workspace, Instant since);
}
