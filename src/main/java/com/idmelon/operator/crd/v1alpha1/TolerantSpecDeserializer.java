package com.idmelon.operator.crd.v1alpha1;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import java.io.IOException;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Reads {@code spec} without ever failing. A spec the API server would have refused (schema validation off, an
 * older CRD) must not fail the informer: JOSDK treats that as fatal and stops the operator for every ApiKey.
 * Instead the spec becomes an empty one that carries a message naming the field, reported as InvalidSpec.
 */
final class TolerantSpecDeserializer extends StdDeserializer<ApiKeySpec> {
  TolerantSpecDeserializer() {
    super(ApiKeySpec.class);
  }

  @Override
  public ApiKeySpec deserialize(JsonParser parser, DeserializationContext context) throws IOException {
    JsonNode tree = parser.readValueAsTree();
    try {
      return context.readTreeAsValue(tree, ApiKeySpec.class);
    } catch (JsonMappingException e) {
      ApiKeySpec unreadable = new ApiKeySpec();
      unreadable.markUnreadable(describe(e));
      return unreadable;
    }
  }

  private static String describe(JsonMappingException e) {
    String field = e.getPath().stream()
        .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
        .collect(Collectors.joining(".", "spec.", ""));
    if (e instanceof InvalidFormatException invalid && invalid.getTargetType() != null
        && invalid.getTargetType().isEnum()) {
      String allowed = Arrays.stream(invalid.getTargetType().getEnumConstants())
          .map(Object::toString).sorted().collect(Collectors.joining(", "));
      return field + " '" + invalid.getValue() + "' is not one of " + allowed;
    }
    return field + " has the wrong type (the CRD schema describes it: kubectl explain apikey." + field + ")";
  }
}
