package com.idmelon.operator.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/** Writes the results as results.json and a markdown table (results.md), and the latency distribution as a PNG. */
final class Report {
  private Report() {}

  static void write(BenchConfig config, Map<String, Object> results, List<String> violations) throws Exception {
    Files.createDirectories(config.out());
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(config.out().resolve("results.json").toFile(), Map.of("results", results, "violations", violations));
    StringBuilder md = new StringBuilder();
    md.append("| measure | value |\n|---|---|\n");
    results.forEach((key, value) -> md.append("| ").append(key).append(" | ").append(value).append(" |\n"));
    md.append("\nViolations: ").append(violations.isEmpty() ? "none" : String.join("; ", violations)).append('\n');
    Files.writeString(config.out().resolve("results.md"), md.toString());
    System.out.println(md);
  }

  /** A histogram of creation-to-Ready times, with the p50 and p99 marked. */
  static void plot(List<Double> sortedMillis, Path file, String title) throws Exception {
    System.setProperty("java.awt.headless", "true");
    int width = 900;
    int height = 500;
    int left = 70;
    int right = 30;
    int top = 50;
    int bottom = 60;
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width, height);
    double max = sortedMillis.get(sortedMillis.size() - 1);
    int bins = 40;
    double binWidth = Math.max(max / bins, 1e-9);
    int[] counts = new int[bins];
    for (double value : sortedMillis) {
      counts[Math.min(bins - 1, (int) (value / binWidth))]++;
    }
    int highest = java.util.Arrays.stream(counts).max().orElse(1);
    int plotWidth = width - left - right;
    int plotHeight = height - top - bottom;
    g.setColor(new Color(70, 130, 180));
    for (int i = 0; i < bins; i++) {
      int barHeight = (int) Math.round(counts[i] / (double) highest * plotHeight);
      int x = left + i * plotWidth / bins;
      g.fillRect(x + 1, top + plotHeight - barHeight, plotWidth / bins - 2, barHeight);
    }
    g.setColor(Color.BLACK);
    g.drawLine(left, top + plotHeight, left + plotWidth, top + plotHeight);
    g.drawLine(left, top, left, top + plotHeight);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    g.drawString(title, left, 30);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    for (int i = 0; i <= 4; i++) {
      int x = left + i * plotWidth / 4;
      g.drawString(String.format("%.0f ms", max * i / 4), x - 15, top + plotHeight + 18);
      int y = top + plotHeight - i * plotHeight / 4;
      g.drawString(Integer.toString(highest * i / 4), 10, y + 4);
    }
    g.drawString("creation to Ready (ms)", left + plotWidth / 2 - 60, height - 15);
    g.drawString("ApiKeys", 10, top - 10);
    g.setStroke(new BasicStroke(2, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4}, 0));
    for (int p : new int[] {50, 99}) {
      double value = Benchmark.percentile(sortedMillis, p);
      int x = left + (int) (value / max * plotWidth);
      g.setColor(p == 50 ? new Color(0, 140, 0) : new Color(200, 0, 0));
      g.drawLine(x, top, x, top + plotHeight);
      g.drawString(String.format("p%d %.0f ms", p, value), Math.min(x + 4, width - 110), top + 15 + (p == 99 ? 18 : 0));
    }
    g.dispose();
    Files.createDirectories(file.getParent());
    ImageIO.write(image, "png", file.toFile());
  }
}
