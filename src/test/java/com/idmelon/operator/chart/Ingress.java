package com.idmelon.operator.chart;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlock;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which connections NetworkPolicies admit to a pod, by the rules of networking.k8s.io/v1: a pod no Ingress policy
 * selects admits everything; otherwise a connection needs one rule whose ports and peers both match (no ports: every
 * port; no peers: every source); a peer's namespaceSelector and podSelector must both match, a podSelector alone means
 * the policy's own namespace. IPv4 ipBlocks only.
 */
record Ingress(List<NetworkPolicy> policies, String podNamespace, Map<String, String> podLabels, Container container) {

  /** A client: a pod (namespace, its labels, the pod's labels) at an address. */
  record Source(String namespace, Map<String, String> namespaceLabels, Map<String, String> podLabels, String ip) {
    /** A pod in {@code namespace}, which carries the kubernetes.io/metadata.name label the API server sets. */
    static Source pod(String namespace, Map<String, String> podLabels, String ip) {
      return new Source(namespace, Map.of("kubernetes.io/metadata.name", namespace), podLabels, ip);
    }

    Source withNamespaceLabel(String key, String value) {
      Map<String, String> labels = new HashMap<>(namespaceLabels);
      labels.put(key, value);
      return new Source(namespace, labels, podLabels, ip);
    }
  }

  boolean admits(Source source, int port) {
    List<NetworkPolicy> selecting = policies.stream()
        .filter(p -> p.getMetadata().getNamespace().equals(podNamespace))
        .filter(p -> matches(p.getSpec().getPodSelector(), podLabels))
        .filter(p -> p.getSpec().getPolicyTypes() == null || p.getSpec().getPolicyTypes().isEmpty()
            || p.getSpec().getPolicyTypes().contains("Ingress"))
        .toList();
    if (selecting.isEmpty()) {
      return true;
    }
    return selecting.stream().flatMap(p -> p.getSpec().getIngress().stream())
        .anyMatch(rule -> portMatches(rule, port) && sourceMatches(rule, source));
  }

  private boolean portMatches(NetworkPolicyIngressRule rule, int port) {
    if (rule.getPorts() == null || rule.getPorts().isEmpty()) {
      return true;
    }
    for (NetworkPolicyPort allowed : rule.getPorts()) {
      if (allowed.getProtocol() != null && !allowed.getProtocol().equals("TCP")) {
        continue;
      }
      IntOrString number = allowed.getPort();
      if (number == null) {
        return true;
      }
      int first = ChartTest.containerPort(container, number);
      int last = allowed.getEndPort() != null ? allowed.getEndPort() : first;
      if (port >= first && port <= last) {
        return true;
      }
    }
    return false;
  }

  private boolean sourceMatches(NetworkPolicyIngressRule rule, Source source) {
    if (rule.getFrom() == null || rule.getFrom().isEmpty()) {
      return true;
    }
    return rule.getFrom().stream().anyMatch(peer -> peerMatches(peer, source));
  }

  private boolean peerMatches(NetworkPolicyPeer peer, Source source) {
    if (peer.getIpBlock() != null) {
      return inBlock(peer.getIpBlock(), source.ip());
    }
    boolean namespaceMatches = peer.getNamespaceSelector() != null
        ? matches(peer.getNamespaceSelector(), source.namespaceLabels())
        : source.namespace().equals(podNamespace);
    boolean podMatches = peer.getPodSelector() == null || matches(peer.getPodSelector(), source.podLabels());
    return namespaceMatches && podMatches;
  }

  static boolean matches(LabelSelector selector, Map<String, String> labels) {
    if (selector.getMatchLabels() != null) {
      for (Map.Entry<String, String> label : selector.getMatchLabels().entrySet()) {
        if (!label.getValue().equals(labels.get(label.getKey()))) {
          return false;
        }
      }
    }
    if (selector.getMatchExpressions() != null) {
      for (LabelSelectorRequirement requirement : selector.getMatchExpressions()) {
        String value = labels.get(requirement.getKey());
        boolean ok = switch (requirement.getOperator()) {
          case "In" -> value != null && requirement.getValues().contains(value);
          case "NotIn" -> value == null || !requirement.getValues().contains(value);
          case "Exists" -> value != null;
          case "DoesNotExist" -> value == null;
          default -> throw new IllegalArgumentException(requirement.getOperator());
        };
        if (!ok) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean inBlock(IPBlock block, String ip) {
    if (ip == null || !inCidr(block.getCidr(), ip)) {
      return false;
    }
    return block.getExcept() == null || block.getExcept().stream().noneMatch(except -> inCidr(except, ip));
  }

  private static boolean inCidr(String cidr, String ip) {
    String[] parts = cidr.split("/");
    int bits = Integer.parseInt(parts[1]);
    long mask = bits == 0 ? 0 : 0xFFFFFFFFL << (32 - bits) & 0xFFFFFFFFL;
    return (address(parts[0]) & mask) == (address(ip) & mask);
  }

  private static long address(String ip) {
    long value = 0;
    for (String octet : ip.split("\\.")) {
      value = value << 8 | Integer.parseInt(octet);
    }
    return value;
  }
}
