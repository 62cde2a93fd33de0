package com.idmelon.operator.quickstart;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A request the server cannot read is answered, never left hanging (kubectl and informers would wait forever). */
class MalformedRequestsTest {
  private static EmbeddedKubernetes kubernetes;

  @BeforeAll
  static void start() {
    kubernetes = EmbeddedKubernetes.start(0);
    try (var client = kubernetes.newClient()) {
      client.resource(new ConfigMapBuilder().withNewMetadata().withName("there").withNamespace("default")
          .endMetadata().build()).create();
    }
  }

  @AfterAll
  static void stop() {
    kubernetes.close();
  }

  /** Answered within seconds (a malformed pair left out, as Go's url.Values leaves it, or a Status). */
  @ParameterizedTest
  @ValueSource(strings = {
      "/api/v1/namespaces/default/configmaps?x=%zz",
      "/api/v1/namespaces/default/configmaps?watch=true&x=%",
      "/api/v1/namespaces/d%zz/configmaps?watch=true"})
  void isAnsweredNotLeftHanging(String path) throws Exception {
    try (Socket socket = request(path)) {
      String status = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
          .readLine();
      assertTrue(status != null && status.startsWith("HTTP/1.1 "), "answered " + status);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"100000000000000000", "9223372036854775807"})
  void aHugeTimeoutStillStreamsTheWatch(String seconds) throws Exception {
    try (Socket socket = request("/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=" + seconds)) {
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      boolean added = false;
      for (String line = in.readLine(); line != null && !added; line = in.readLine()) {
        added = line.contains("\"ADDED\"") && line.contains("\"there\"");
      }
      assertTrue(added, "the existing ConfigMap arrived as ADDED");
    }
  }

  private static Socket request(String path) throws Exception {
    URI url = URI.create(kubernetes.url());
    Socket socket = new Socket(url.getHost(), url.getPort());
    socket.setSoTimeout(5_000); // a read that waits longer fails the test instead of hanging it
    socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + url.getAuthority()
        + "\r\nAccept: application/json\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    return socket;
  }

  @Test
  void aBodyThatIsNotJsonIsABadRequestThatDoesNotRepeatIt() throws Exception {
    java.net.http.HttpResponse<String> answer = postSecret(
        "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s\"},\"data\":{\"k\":TOPSECRET}}");

    org.junit.jupiter.api.Assertions.assertEquals(400, answer.statusCode(), answer.body());
    assertTrue(answer.body().contains("\"reason\":\"BadRequest\""), answer.body());
    assertTrue(!answer.body().contains("TOPSECRET"), "the answer does not quote the body: " + answer.body());
  }

  @Test
  void stringDataThatIsNoStringIsABadRequestAsOnACluster() throws Exception {
    java.net.http.HttpResponse<String> answer = postSecret(
        "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"n\"},\"stringData\":{\"k\":5}}");

    org.junit.jupiter.api.Assertions.assertEquals(400, answer.statusCode(), answer.body());
    assertTrue(answer.body().contains("cannot unmarshal number into Go struct field Secret.stringData"), answer.body());
    try (var client = kubernetes.newClient()) {
      org.junit.jupiter.api.Assertions.assertNull(client.secrets().inNamespace("default").withName("n").get(),
          "nothing stored");
    }
  }

  private static java.net.http.HttpResponse<String> postSecret(String json) throws Exception {
    return java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(URI.create(kubernetes.url() + "/api/v1/namespaces/default/secrets"))
            .header("Content-Type", "application/json")
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(json)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
  }
}
