package com.idmelon.operator.quickstart;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * Request bodies in Kubernetes' protobuf encoding, which kubectl's {@code create namespace|secret|configmap} send,
 * read into the JSON fabric8's mock stores. Only the kinds a quick-start user creates that way are understood (their
 * fields as in k8s.io/api core/v1 generated.proto); any other protobuf body is refused with 415, as a server refuses
 * an encoding it does not serve.
 */
final class ProtobufBodies {
  static final String CONTENT_TYPE = "application/vnd.kubernetes.protobuf";
  private static final byte[] MAGIC = {'k', '8', 's', 0};
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private ProtobufBodies() {
  }

  /** Whether the request carries a protobuf body. */
  static boolean protobuf(RecordedRequest request) {
    String type = request.getHeader("Content-Type");
    return type != null && type.startsWith(CONTENT_TYPE) && request.getBody() != null && request.getBody().size() > 0;
  }

  /** The request with its body as JSON; null if the body is not an object of a kind read here. */
  static RecordedRequest asJson(RecordedRequest request) {
    try {
      ObjectNode object = decode(request.getBody().getBytes());
      if (object == null) {
        return null;
      }
      return new RecordedRequest(request.getHttpVersion(), request.method(), request.getPath(),
          request.getHeaders().newBuilder().set("Content-Type", "application/json").build(),
          new Buffer(Serialization.jsonMapper().writeValueAsBytes(object)));
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  static ObjectNode decode(byte[] body) throws IOException {
    if (body.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(body, MAGIC.length), MAGIC)) {
      return null;
    }
    Reader unknown = new Reader(body, MAGIC.length, body.length);
    String apiVersion = "";
    String kind = "";
    Reader raw = null;
    while (unknown.more()) {
      int tag = unknown.tag();
      switch (tag >>> 3) {
        case 1 -> {
          Reader typeMeta = unknown.message();
          while (typeMeta.more()) {
            int field = typeMeta.tag();
            if (field >>> 3 == 1) {
              apiVersion = typeMeta.string();
            } else if (field >>> 3 == 2) {
              kind = typeMeta.string();
            } else {
              typeMeta.skip(field);
            }
          }
        }
        case 2 -> raw = unknown.message();
        default -> unknown.skip(tag);
      }
    }
    if (raw == null || !apiVersion.equals("v1")) {
      return null;
    }
    ObjectNode object = NODES.objectNode();
    object.put("apiVersion", apiVersion);
    object.put("kind", kind);
    switch (kind) {
      case "Secret" -> secret(raw, object);
      case "ConfigMap" -> configMap(raw, object);
      case "Namespace" -> namespace(raw, object);
      default -> {
        return null;
      }
    }
    return object;
  }

  private static void secret(Reader in, ObjectNode secret) throws IOException {
    while (in.more()) {
      int tag = in.tag();
      switch (tag >>> 3) {
        case 1 -> secret.set("metadata", metadata(in.message()));
        case 2 -> mapEntry(in.message(), secret.with("data"), true);
        case 3 -> putText(secret, "type", in.string());
        case 4 -> mapEntry(in.message(), secret.with("stringData"), false);
        case 5 -> secret.put("immutable", in.varint() != 0);
        default -> in.skip(tag);
      }
    }
  }

  private static void configMap(Reader in, ObjectNode configMap) throws IOException {
    while (in.more()) {
      int tag = in.tag();
      switch (tag >>> 3) {
        case 1 -> configMap.set("metadata", metadata(in.message()));
        case 2 -> mapEntry(in.message(), configMap.with("data"), false);
        case 3 -> mapEntry(in.message(), configMap.with("binaryData"), true);
        case 4 -> configMap.put("immutable", in.varint() != 0);
        default -> in.skip(tag);
      }
    }
  }

  private static void namespace(Reader in, ObjectNode namespace) throws IOException {
    while (in.more()) {
      int tag = in.tag();
      if (tag >>> 3 == 1) {
        namespace.set("metadata", metadata(in.message()));
      } else if (tag >>> 3 == 2) {
        Reader spec = in.message();
        while (spec.more()) {
          int field = spec.tag();
          if (field >>> 3 == 1) {
            namespace.with("spec").withArray("finalizers").add(spec.string());
          } else {
            spec.skip(field);
          }
        }
      } else {
        in.skip(tag);
      }
    }
  }

  /** ObjectMeta: what a create or replace may carry (the server sets the rest). */
  private static ObjectNode metadata(Reader in) throws IOException {
    ObjectNode metadata = NODES.objectNode();
    while (in.more()) {
      int tag = in.tag();
      switch (tag >>> 3) {
        case 1 -> putText(metadata, "name", in.string());
        case 2 -> putText(metadata, "generateName", in.string());
        case 3 -> putText(metadata, "namespace", in.string());
        case 5 -> putText(metadata, "uid", in.string());
        case 6 -> putText(metadata, "resourceVersion", in.string());
        case 11 -> mapEntry(in.message(), metadata.with("labels"), false);
        case 12 -> mapEntry(in.message(), metadata.with("annotations"), false);
        case 13 -> metadata.withArray("ownerReferences").add(ownerReference(in.message()));
        case 14 -> metadata.withArray("finalizers").add(in.string());
        default -> in.skip(tag);
      }
    }
    return metadata;
  }

  private static ObjectNode ownerReference(Reader in) throws IOException {
    ObjectNode owner = NODES.objectNode();
    while (in.more()) {
      int tag = in.tag();
      switch (tag >>> 3) {
        case 1 -> putText(owner, "kind", in.string());
        case 3 -> putText(owner, "name", in.string());
        case 4 -> putText(owner, "uid", in.string());
        case 5 -> putText(owner, "apiVersion", in.string());
        case 6 -> owner.put("controller", in.varint() != 0);
        case 7 -> owner.put("blockOwnerDeletion", in.varint() != 0);
        default -> in.skip(tag);
      }
    }
    return owner;
  }

  /** A map<string, string|bytes> entry (key 1, value 2); bytes become base64 as in JSON. */
  private static void mapEntry(Reader entry, ObjectNode map, boolean bytes) throws IOException {
    String key = "";
    String value = "";
    while (entry.more()) {
      int tag = entry.tag();
      if (tag >>> 3 == 1) {
        key = entry.string();
      } else if (tag >>> 3 == 2) {
        byte[] raw = entry.bytes();
        value = bytes ? Base64.getEncoder().encodeToString(raw) : new String(raw, StandardCharsets.UTF_8);
      } else {
        entry.skip(tag);
      }
    }
    map.put(key, value);
  }

  private static void putText(ObjectNode node, String field, String value) {
    if (!value.isEmpty()) {
      node.put(field, value);
    }
  }

  /** Protocol buffers' wire format, within {@code [at, end)} of {@code bytes}. */
  private static final class Reader {
    private final byte[] bytes;
    private final int end;
    private int at;

    Reader(byte[] bytes, int at, int end) {
      this.bytes = bytes;
      this.at = at;
      this.end = end;
    }

    boolean more() {
      return at < end;
    }

    int tag() throws IOException {
      return (int) varint();
    }

    long varint() throws IOException {
      long value = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (at >= end) {
          throw new IOException("truncated varint");
        }
        byte b = bytes[at++];
        value |= (long) (b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
          return value;
        }
      }
      throw new IOException("malformed varint");
    }

    byte[] bytes() throws IOException {
      int length = length();
      byte[] value = Arrays.copyOfRange(bytes, at, at + length);
      at += length;
      return value;
    }

    String string() throws IOException {
      return new String(bytes(), StandardCharsets.UTF_8);
    }

    Reader message() throws IOException {
      int length = length();
      Reader message = new Reader(bytes, at, at + length);
      at += length;
      return message;
    }

    private int length() throws IOException {
      long length = varint();
      if (length < 0 || length > end - at) {
        throw new IOException("length beyond the message");
      }
      return (int) length;
    }

    void skip(int tag) throws IOException {
      switch (tag & 7) {
        case 0 -> varint();
        case 1 -> at += 8;
        case 2 -> {
          int length = length(); // read before at moves: "at += length()" would add to the old position
          at += length;
        }
        case 5 -> at += 4;
        default -> throw new IOException("unsupported wire type " + (tag & 7));
      }
      if (at > end) {
        throw new IOException("field beyond the message");
      }
    }
  }
}
