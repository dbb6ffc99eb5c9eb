package dev.raftboot.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code src-docs/configuration.md} against the metadata the configuration processor generated for
 * this module ({@code META-INF/spring-configuration-metadata.json} in target/classes): every
 * property is documented with its type and default, nothing documented is gone, and the YAML
 * examples only use keys that exist.
 */
class ConfigurationReferenceTests {

  private static final Path DOC = Path.of("..", "src-docs", "configuration.md");

  /** A table row: {@code | `name` | `Type` | default | description |}. */
  private static final Pattern ROW =
      Pattern.compile("^\\| `([a-z][a-z0-9.-]*)` \\| `([^`]+)` \\| ([^|]*) \\| (.*) \\|$");

  /** A property named in running text: the whole code span is the name. */
  private static final Pattern MENTION = Pattern.compile("`(raft(?:\\.[a-z0-9-]+)+)`");

  private static final Pattern YAML_BLOCK = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL);

  private static Map<String, JsonNode> metadata;
  private static String doc;
  private static Map<String, Row> rows;

  record Row(String type, String defaultCell, String description) {}

  @BeforeAll
  static void load() throws IOException {
    metadata = new TreeMap<>();
    for (JsonNode p : metadataOfThisModule().get("properties")) {
      metadata.put(p.get("name").asString(), p);
    }
    doc = Files.readString(DOC, StandardCharsets.UTF_8);
    rows = new LinkedHashMap<>();
    for (String line : doc.split("\\R")) {
      Matcher m = ROW.matcher(line);
      if (m.matches()) {
        Row previous = rows.put(m.group(1), new Row(m.group(2), m.group(3), m.group(4)));
        assertThat(previous).as("%s is documented twice", m.group(1)).isNull();
      }
    }
  }

  /** The metadata file next to RaftProperties, not one of the other jars' on the class path. */
  private static JsonNode metadataOfThisModule() throws IOException {
    String classes =
        RaftProperties.class.getProtectionDomain().getCodeSource().getLocation().toString();
    List<URL> found =
        Collections.list(
            RaftProperties.class
                .getClassLoader()
                .getResources("META-INF/spring-configuration-metadata.json"));
    URL ours =
        found.stream()
            .filter(u -> u.toString().startsWith(classes))
            .findFirst()
            .orElseThrow(
                () ->
                    new AssertionError(
                        "no configuration metadata under "
                            + classes
                            + " (is spring-boot-configuration-processor on the annotation"
                            + " processor path?); found "
                            + found));
    try (InputStream in = ours.openStream()) {
      return JsonMapper.builder().build().readTree(in);
    }
  }

  @Test
  void metadataHasTheRaftProperties() {
    assertThat(metadata).containsKeys("raft.node-id", "raft.peers", "raft.transport.token");
  }

  @Test
  void everyPropertyIsDocumented() {
    List<String> missing = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : metadata.entrySet()) {
      if (!rows.containsKey(e.getKey())) {
        missing.add(suggestedRow(e.getValue()));
      }
    }
    assertThat(missing)
        .as(
            "properties in the metadata but not in %s; add rows like these, in the right group and"
                + " with a user's description:%n%s",
            DOC,
            String.join("\n", missing))
        .isEmpty();
  }

  @Test
  void everyDocumentedPropertyExists() {
    Set<String> gone = new TreeSet<>(rows.keySet());
    gone.removeAll(metadata.keySet());
    assertThat(gone).as("documented in %s but not in the metadata any more", DOC).isEmpty();
  }

  @Test
  void everyPropertyNamedInTheTextExists() {
    Set<String> unknown = new TreeSet<>();
    Matcher m = MENTION.matcher(doc);
    while (m.find()) {
      if (!metadata.containsKey(m.group(1))) {
        unknown.add(m.group(1));
      }
    }
    assertThat(unknown).as("raft.* properties named in %s that do not exist", DOC).isEmpty();
  }

  @Test
  void typesAndDefaultsMatchTheMetadata() {
    List<String> wrong = new ArrayList<>();
    for (Map.Entry<String, Row> e : rows.entrySet()) {
      JsonNode p = metadata.get(e.getKey());
      if (p == null) {
        continue;
      }
      Row row = e.getValue();
      String type = simpleType(p.get("type").asString());
      if (!row.type().replace(" ", "").equals(type)) {
        wrong.add(e.getKey() + ": type `" + row.type() + "`, metadata says `" + type + "`");
      }
      JsonNode def = p.get("defaultValue");
      if (def != null && !def.isNull()) {
        String expected = "`" + def.asString() + "`";
        if (!row.defaultCell().toLowerCase().contains(expected.toLowerCase())) {
          wrong.add(e.getKey() + ": default '" + row.defaultCell() + "', metadata says " + expected);
        } else if (row.defaultCell().startsWith("none")) {
          wrong.add(e.getKey() + ": documented without default, metadata says " + expected);
        }
      } else if (!row.defaultCell().startsWith("none")) {
        wrong.add(e.getKey() + ": default '" + row.defaultCell() + "', metadata has none (write none ...)");
      }
      if (row.description().isBlank()) {
        wrong.add(e.getKey() + ": no description");
      }
    }
    assertThat(wrong).as("rows of %s that disagree with the metadata", DOC).isEmpty();
  }

  @Test
  void yamlExamplesUseOnlyExistingProperties() {
    Set<String> unknown = new TreeSet<>();
    Matcher m = YAML_BLOCK.matcher(doc);
    int blocks = 0;
    while (m.find()) {
      for (Object document : new Yaml().loadAll(m.group(1))) {
        blocks++;
        Map<String, Object> flat = new TreeMap<>();
        flatten("", document, flat);
        for (String key : flat.keySet()) {
          if (key.startsWith("raft.") && !metadata.containsKey(key) && !isMapEntry(key)) {
            unknown.add(key);
          }
        }
      }
    }
    assertThat(blocks).as("YAML examples in %s", DOC).isGreaterThanOrEqualTo(7);
    assertThat(unknown).as("raft.* keys in the YAML examples of %s that do not exist", DOC).isEmpty();
  }

  /** {@code raft.peers.1}: an entry of a map property. */
  private static boolean isMapEntry(String key) {
    int dot = key.lastIndexOf('.');
    JsonNode p = dot < 0 ? null : metadata.get(key.substring(0, dot));
    return p != null && p.get("type").asString().startsWith("java.util.Map<");
  }

  @SuppressWarnings("unchecked")
  private static void flatten(String prefix, Object node, Map<String, Object> out) {
    if (node instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : ((Map<Object, Object>) map).entrySet()) {
        flatten(prefix.isEmpty() ? String.valueOf(e.getKey()) : prefix + "." + e.getKey(), e.getValue(), out);
      }
    } else {
      out.put(prefix, node);
    }
  }

  /** {@code java.util.Map<java.lang.Long,java.net.URI>} becomes {@code Map<Long,URI>}. */
  static String simpleType(String type) {
    return type.replaceAll("[a-z][a-zA-Z0-9_]*\\.", "").replace("$", ".").replace(" ", "");
  }

  private static String suggestedRow(JsonNode p) {
    JsonNode def = p.get("defaultValue");
    JsonNode description = p.get("description");
    return "| `"
        + p.get("name").asString()
        + "` | `"
        + simpleType(p.get("type").asString())
        + "` | "
        + (def == null || def.isNull() ? "none" : "`" + def.asString() + "`")
        + " | "
        + (description == null ? "" : description.asString())
        + " |";
  }
}
