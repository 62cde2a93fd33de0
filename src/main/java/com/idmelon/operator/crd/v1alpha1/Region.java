package com.idmelon.operator.crd.v1alpha1;

import java.net.URI;

/** IDmelon's public regions and their base URLs. */
public enum Region {
  US("https://skm.idmelon.com"),
  EU("https://skm.eu.idmelon.com");

  private final URI baseUrl;

  Region(String baseUrl) {
    this.baseUrl = URI.create(baseUrl);
  }

  public URI baseUrl() {
    return baseUrl;
  }
}
