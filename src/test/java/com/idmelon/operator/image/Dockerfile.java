package com.idmelon.operator.image;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** A Dockerfile read the way `docker build` reads it: instructions, stages, and the .dockerignore'd context. */
record Dockerfile(List<Dockerfile.Stage> stages, List<String> comments) {
  private static final Set<String> KEYWORDS = Set.of("FROM", "RUN", "CMD", "LABEL", "EXPOSE", "ENV", "ADD", "COPY",
      "ENTRYPOINT", "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL");

  record Instruction(int line, String keyword, String arguments) {
    /** The words of the arguments, flags ({@code --from=build}) included. */
    List<String> words() {
      return Arrays.asList(arguments.trim().split("\\s+"));
    }

    /** The value of {@code --name=value}, if the instruction has that flag. */
    Optional<String> flag(String name) {
      return words().stream().filter(w -> w.startsWith("--" + name + "="))
          .map(w -> w.substring(name.length() + 3)).findFirst();
    }

    /** COPY's sources and destination, flags left out; the JSON form too. */
    List<String> paths() {
      if (arguments.trim().startsWith("[")) {
        return json();
      }
      return words().stream().filter(w -> !w.startsWith("--")).toList();
    }

    /** The exec (JSON) form of CMD, ENTRYPOINT or COPY; fails for the shell form. */
    List<String> json() {
      try {
        return new ObjectMapper().readValue(arguments.trim(), new TypeReference<List<String>>() { });
      } catch (IOException e) {
        throw new AssertionError("line " + line + ": " + keyword + " is not in the exec (JSON) form: " + arguments, e);
      }
    }
  }

  /** {@code FROM image [AS name]} and the instructions up to the next FROM. */
  record Stage(Instruction from, List<Instruction> instructions) {
    String image() {
      List<String> words = from.words().stream().filter(w -> !w.startsWith("--")).toList();
      return words.get(0);
    }

    String name() {
      List<String> words = from.words().stream().filter(w -> !w.startsWith("--")).toList();
      return words.size() == 3 && words.get(1).equalsIgnoreCase("AS") ? words.get(2) : null;
    }

    List<Instruction> all(String keyword) {
      return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
    }

    Optional<Instruction> last(String keyword) {
      List<Instruction> all = all(keyword);
      return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /** The absolute WORKDIR in force at the end of the stage. */
    String workdir() {
      return last("WORKDIR").map(Instruction::arguments).map(String::trim).orElse("/");
    }
  }

  /**
   * Parses; fails on a line that is neither an instruction, a comment, a blank line nor the continuation of the
   * instruction above (backslash at the end of the line before).
   */
  static Dockerfile parse(List<String> lines) {
    List<Instruction> instructions = new ArrayList<>();
    List<String> comments = new ArrayList<>();
    StringBuilder pending = null;
    int start = 0;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.startsWith("#")) {
        comments.add(line.substring(1).strip());
        continue;
      }
      if (line.isEmpty()) {
        if (pending != null) {
          fail("line " + (i + 1) + ": a blank line inside the instruction of line " + start);
        }
        continue;
      }
      if (pending == null) {
        pending = new StringBuilder();
        start = i + 1;
      }
      boolean continued = line.endsWith("\\");
      pending.append(continued ? line.substring(0, line.length() - 1) : line).append(' ');
      if (!continued) {
        String text = pending.toString().strip();
        String keyword = text.split("\\s+", 2)[0];
        if (!KEYWORDS.contains(keyword)) {
          fail("line " + start + " is no Dockerfile instruction (nor a comment or a continuation): " + text);
        }
        instructions.add(new Instruction(start, keyword, text.substring(keyword.length()).strip()));
        pending = null;
      }
    }
    assertNull(pending, "the last instruction ends with a continuation backslash");
    assertTrue(!instructions.isEmpty() && instructions.get(0).keyword().equals("FROM"),
        "a Dockerfile starts with FROM");
    List<Stage> stages = new ArrayList<>();
    for (Instruction instruction : instructions) {
      if (instruction.keyword().equals("FROM")) {
        stages.add(new Stage(instruction, new ArrayList<>()));
      } else {
        stages.get(stages.size() - 1).instructions().add(instruction);
      }
    }
    return new Dockerfile(stages, comments);
  }

  static Dockerfile read(Path file) throws IOException {
    return parse(Files.readAllLines(file));
  }

  Stage runtime() {
    return stages.get(stages.size() - 1);
  }

  Stage stage(String name) {
    return stages.stream().filter(s -> name.equals(s.name())).findFirst()
        .orElseThrow(() -> new AssertionError("no stage named " + name));
  }

  /**
   * What .dockerignore leaves in the build context, as Docker decides it: the last pattern that matches the path or
   * one of its parent directories wins, {@code !} keeps what an earlier pattern dropped.
   */
  record Context(List<String> patterns) {
    static Context read(Path dockerignore) throws IOException {
      if (!Files.exists(dockerignore)) {
        return new Context(List.of());
      }
      return new Context(Files.readAllLines(dockerignore).stream().map(String::strip)
          .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList());
    }

    boolean includes(String path) {
      boolean included = true;
      for (String pattern : patterns) {
        boolean keep = pattern.startsWith("!");
        String glob = strip(keep ? pattern.substring(1) : pattern);
        var matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
        for (Path prefix = Path.of(strip(path)); prefix != null; prefix = prefix.getParent()) {
          if (matcher.matches(prefix)) {
            included = keep;
            break;
          }
        }
      }
      return included;
    }

    private static String strip(String path) {
      String p = path.startsWith("/") ? path.substring(1) : path;
      return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }
  }
}
