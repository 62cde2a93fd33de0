package com.idmelon.operator.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.mockwebserver.http.MockResponse;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The catalog never keeps a list of CRDs read before a CRD changed: admission would miss the new CRD for good. */
class CrdCatalogTest {
  private static final String NONE = "{\"kind\":\"List\",\"items\":[]}";
  private static final String ONE = "{\"kind\":\"List\",\"items\":[{\"metadata\":{\"name\":\"widgets.example.com\"},"
      + "\"spec\":{\"group\":\"example.com\",\"names\":{\"kind\":\"Widget\",\"plural\":\"widgets\"}}}]}";

  @Test
  void aCrdStoredWhileTheCatalogReadsTheStoreIsSeenByTheNextLookup() {
    AtomicReference<String> stored = new AtomicReference<>(NONE);
    AtomicReference<CrdCatalog> catalog = new AtomicReference<>();
    catalog.set(new CrdCatalog(path -> {
      String before = stored.get();
      if (before == NONE) {
        // a writer stores a CRD and invalidates the catalog right after this read, before the reader keeps it
        stored.set(ONE);
        catalog.get().invalidate();
      }
      return new MockResponse().setResponseCode(200).setBody(before);
    }));

    assertEquals(0, catalog.get().all().size(), "the read that raced with the write answers what it read");
    assertEquals(1, catalog.get().all().size(), "but the next lookup reads the store again");
    assertEquals("Widget", catalog.get().find("example.com", "widgets").orElseThrow().kind());
  }
}
