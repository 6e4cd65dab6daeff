package io.antiscraping.lab.report;

import io.antiscraping.lab.traffic.RequestRecord;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.renderer.xy.XYStepRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * One PNG per scenario: request rates by client class and outcome on top, the level and the number of bans below,
 * on a shared time axis (seconds since the start of the run), with the attack window marked.
 */
public final class TimelineChart {

  private TimelineChart() {}

  public static void write(Path png, ScenarioOutcome outcome, List<RequestRecord> truth, Timeline timeline,
      List<String> levelNames) throws IOException {
    System.setProperty("java.awt.headless", "true");
    int seconds = (int) Math.ceil(Math.max(outcome.runSeconds(),
        timeline.samples().isEmpty() ? 0 : timeline.last().atMillis() / 1000.0)) + 1;

    XYSeriesCollection rates = new XYSeriesCollection();
    for (Map.Entry<String, double[]> e : OutcomeCalculator.ratesByClassAndOutcome(truth, seconds).entrySet()) {
      XYSeries s = new XYSeries(e.getKey());
      double[] v = e.getValue();
      for (int i = 0; i < v.length; i++) {
        s.add(i, v[i]);
      }
      rates.addSeries(s);
    }
    NumberAxis rateAxis = new NumberAxis("requests/s");
    XYLineAndShapeRenderer rateRenderer = new XYLineAndShapeRenderer(true, false);
    for (int i = 0; i < rates.getSeriesCount(); i++) {
      String key = rates.getSeriesKey(i).toString();
      rateRenderer.setSeriesPaint(i, colour(key));
      rateRenderer.setSeriesStroke(i, new BasicStroke(key.endsWith("ok") ? 1.8f : 1.2f));
    }
    XYPlot ratePlot = new XYPlot(rates, null, rateAxis, rateRenderer);

    XYSeries level = new XYSeries("level");
    XYSeries bans = new XYSeries("bans");
    for (Timeline.Sample s : timeline.samples()) {
      int idx = s.level() == null ? -1 : levelNames.indexOf(s.level());
      level.add(s.atMillis() / 1000.0, Math.max(idx, 0));
      bans.add(s.atMillis() / 1000.0, s.banned().size());
    }
    SymbolAxis levelAxis = new SymbolAxis("level", levelNames.toArray(String[]::new));
    XYPlot levelPlot = new XYPlot(new XYSeriesCollection(level), null, levelAxis, new XYStepRenderer());
    levelPlot.getRenderer().setSeriesPaint(0, new Color(0x6a1b9a));
    levelPlot.getRenderer().setSeriesStroke(0, new BasicStroke(2f));
    NumberAxis banAxis = new NumberAxis("bans");
    banAxis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    banAxis.setRange(0, Math.max(1, timeline.maxBanned()) * 1.1);
    levelPlot.setRangeAxis(1, banAxis);
    levelPlot.setDataset(1, new XYSeriesCollection(bans));
    levelPlot.mapDatasetToRangeAxis(1, 1);
    XYStepRenderer banRenderer = new XYStepRenderer();
    banRenderer.setSeriesPaint(0, new Color(0xe65100));
    levelPlot.setRenderer(1, banRenderer);

    CombinedDomainXYPlot plot = new CombinedDomainXYPlot(new NumberAxis("seconds since start"));
    plot.add(ratePlot, 3);
    plot.add(levelPlot, 1);
    if (outcome.attackEndSeconds() != null) {
      Double start = outcome.groups().stream().filter(g -> g.clientClass().equals("crawler"))
          .map(ScenarioOutcome.GroupOutcome::firstRequestSeconds).filter(java.util.Objects::nonNull)
          .min(Double::compare).orElse(null);
      for (XYPlot p : List.of(ratePlot, levelPlot)) {
        if (start != null) {
          p.addDomainMarker(marker(start, "attack"));
        }
        p.addDomainMarker(marker(outcome.attackEndSeconds(), "attack ends"));
      }
    }
    JFreeChart chart = new JFreeChart(outcome.scenario(), JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    ChartUtils.saveChartAsPNG(png.toFile(), chart, 1200, 700);
  }

  private static ValueMarker marker(double x, String label) {
    ValueMarker m = new ValueMarker(x, Color.GRAY, new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER,
        1f, new float[] {4f, 4f}, 0f));
    m.setLabel(label);
    return m;
  }

  private static Color colour(String key) {
    boolean ok = key.endsWith(" ok");
    if (key.startsWith("shopper")) {
      return ok ? new Color(0x2e7d32) : new Color(0xc62828);
    }
    if (key.startsWith("crawler")) {
      return ok ? new Color(0x1565c0) : new Color(0x90a4ae);
    }
    return ok ? new Color(0x00838f) : new Color(0xff8f00);
  }
}
