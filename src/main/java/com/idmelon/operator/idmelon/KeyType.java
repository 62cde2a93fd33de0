package com.idmelon.operator.idmelon;

/** The three kinds of IDmelon workspace API key; the names are the wire values in IDmelon and in the CRD. */
public enum KeyType {
  Admin,
  SharedMobile,
  Clients;

  /** Only Admin keys can be regenerated in place by IDmelon's reset call. */
  public boolean canReset() {
    return this == Admin;
  }
}
