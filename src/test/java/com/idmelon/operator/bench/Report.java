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

  /**
   * Cost against the number of ApiKeys: one small panel per measure ({@code names[i]} over {@code values[i]}), the
   * ApiKeys on a logarithmic axis, each point labelled with its value.
   */
  static void curve(int[] keys, String[] names, double[][] values, Path file, String title) throws Exception {
    System.setProperty("java.awt.headless", "true");
    int panelWidth = 450;
    int panelHeight = 260;
    int width = 2 * panelWidth;
    int height = 40 + panelHeight * ((names.length + 1) / 2);
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width, height);
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    g.drawString(title, 20, 26);
    double lowKeys = Math.log10(keys[0]);
    double highKeys = Math.max(Math.log10(keys[keys.length - 1]), lowKeys + 1);
    for (int m = 0; m < names.length; m++) {
      int x0 = (m % 2) * panelWidth + 60;
      int y0 = 40 + (m / 2) * panelHeight + 30;
      int w = panelWidth - 90;
      int h = panelHeight - 80;
      double max = java.util.Arrays.stream(values[m]).max().orElse(1) * 1.2;
      max = max <= 0 ? 1 : max;
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
      g.drawString(names[m], x0, y0 - 10);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
      g.drawLine(x0, y0 + h, x0 + w, y0 + h);
      g.drawLine(x0, y0, x0, y0 + h);
      g.drawString(String.format("%.4g", max), x0 - 55, y0 + 4);
      g.drawString("0", x0 - 15, y0 + h + 4);
      int[] xs = new int[keys.length];
      int[] ys = new int[keys.length];
      for (int i = 0; i < keys.length; i++) {
        xs[i] = x0 + (int) ((Math.log10(keys[i]) - lowKeys) / (highKeys - lowKeys) * w);
        ys[i] = y0 + h - (int) (values[m][i] / max * h);
        g.setColor(Color.BLACK);
        g.drawString(String.format("%,d", keys[i]), xs[i] - 15, y0 + h + 16);
      }
      g.setColor(new Color(70, 130, 180));
      g.setStroke(new BasicStroke(2));
      g.drawPolyline(xs, ys, keys.length);
      g.setStroke(new BasicStroke(1));
      for (int i = 0; i < keys.length; i++) {
        g.fillOval(xs[i] - 4, ys[i] - 4, 8, 8);
        g.drawString(String.format("%.2f", values[m][i]), xs[i] + 6, ys[i] - 6);
      }
      g.setColor(Color.BLACK);
      g.drawString("ApiKeys (log scale)", x0 + w / 2 - 50, y0 + h + 32);
    }
    g.dispose();
    Files.createDirectories(file.getParent());
    ImageIO.write(image, "png", file.toFile());
  }
}
