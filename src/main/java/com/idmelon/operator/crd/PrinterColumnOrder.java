package com.idmelon.operator.crd;

import com.idmelon.operator.crd.v1alpha1.ApiKey;
import com.idmelon.operator.crd.v1alpha1.ClusterWorkspace;
import com.idmelon.operator.crd.v1alpha1.Workspace;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Build step, run right after the fabric8 crd-generator (process-classes): puts the CRD's printer columns in the
 * order each kind declares them (ApiKey: Type, Ready, Expires, Key ID, Age), because the generator sorts them by JSON
 * path, which would put Age first. Only the order of the column entries changes; the file is otherwise untouched.
 */
public final class PrinterColumnOrder {
  private static final Pattern LIST = Pattern.compile("^(\\s*)(- )?additionalPrinterColumns:\\s*$");
  private static final Pattern NAME = Pattern.compile("^\\s*(- )?name:\\s*\"?([^\"]*)\"?\\s*$");

  private PrinterColumnOrder() {}

  /** The project's kinds, each in the order its class declares its columns. */
  private static final List<Class<?>> KINDS = List.of(ApiKey.class, Workspace.class, ClusterWorkspace.class);

  /** {@code args}: the directory of the generated CRD files, rewritten in place. */
  public static void main(String[] args) throws IOException {
    for (Class<?> kind : KINDS) {
      List<String> order = Arrays.stream(kind.getAnnotationsByType(AdditionalPrinterColumn.class))
          .map(AdditionalPrinterColumn::name)
          .toList();
      Path path = Path.of(args[0], kind.getAnnotation(Plural.class).value() + "." + ApiKey.GROUP + "-v1.yml");
      String yaml = Files.readString(path, StandardCharsets.UTF_8);
      String ordered = reorder(yaml, order);
      if (!ordered.equals(yaml)) {
        Files.writeString(path, ordered, StandardCharsets.UTF_8);
      }
    }
  }

  /** The YAML with each additionalPrinterColumns list sorted by {@code names} (unknown names last, kept in order). */
  static String reorder(String yaml, List<String> names) {
    boolean trailingNewline = yaml.endsWith("\n");
    List<String> lines = new ArrayList<>(Arrays.asList(yaml.split("\n", -1)));
    if (trailingNewline) {
      lines.remove(lines.size() - 1);
    }
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < lines.size()) {
      String line = lines.get(i++);
      out.add(line);
      if (!LIST.matcher(line).matches() || i >= lines.size()) {
        continue;
      }
      String first = lines.get(i);
      String itemIndent = first.substring(0, first.length() - first.stripLeading().length());
      if (!first.startsWith(itemIndent + "- ")) {
        continue;
      }
      List<List<String>> items = new ArrayList<>();
      while (i < lines.size() && (lines.get(i).startsWith(itemIndent + "- ") || lines.get(i).startsWith(itemIndent + "  "))) {
        if (lines.get(i).startsWith(itemIndent + "- ")) {
          items.add(new ArrayList<>());
        }
        items.get(items.size() - 1).add(lines.get(i++));
      }
      items.sort(Comparator.comparingInt(item -> rank(item, names)));
      items.forEach(out::addAll);
    }
    return String.join("\n", out) + (trailingNewline ? "\n" : "");
  }

  private static int rank(List<String> item, List<String> names) {
    for (String line : item) {
      Matcher name = NAME.matcher(line);
      if (name.matches() && names.contains(name.group(2))) {
        return names.indexOf(name.group(2));
      }
    }
    return names.size();
  }
}
