package org.medledger.bench.paper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;

/** The figures, as PNG and SVG, in the paper's layout. */
final class Charts {
  private Charts() {}

  static void fig1(Path out, List<PaperBench.Fig1Row> rows) throws IOException {
    for (int msg : new int[] {31, 4096}) {
      List<PaperBench.Fig1Row> r = rows.stream().filter(x -> x.messageBytes() == msg).toList();
      List<Integer> n = r.stream().map(PaperBench.Fig1Row::participants).toList();
      CategoryChart sizes = new CategoryChartBuilder().width(800).height(500)
          .title("Fig. 1 (sizes), messages of " + msg + " B").xAxisTitle("participants").yAxisTitle("bytes").build();
      sizes.addSeries("avg proposal input", n, r.stream().map(x -> (double) x.proposalBytes() / x.proposals()).toList());
      sizes.addSeries("avg event", n, r.stream().map(x -> (double) x.eventBytes() / x.events()).toList());
      sizes.addSeries("total proposal input / 10", n, r.stream().map(x -> x.proposalBytes() / 10.0).toList());
      save(sizes, out.resolve("fig1-sizes-" + msg + "B"));
      CategoryChart counts = new CategoryChartBuilder().width(800).height(500)
          .title("Fig. 1 (counts) per treatment").xAxisTitle("participants").yAxisTitle("count").build();
      counts.addSeries("proposals", n, r.stream().map(PaperBench.Fig1Row::proposals).toList());
      counts.addSeries("events", n, r.stream().map(PaperBench.Fig1Row::events).toList());
      counts.addSeries("event deliveries", n, r.stream().map(x -> (int) x.deliveries()).toList());
      if (msg == 31) save(counts, out.resolve("fig1-counts"));
    }
  }

  static void fig2(Path out, List<PaperBench.Fig2Row> rows) throws IOException {
    XYChart c = new XYChartBuilder().width(800).height(500)
        .title("Fig. 2: time per patient, 3 participants").xAxisTitle("patients").yAxisTitle("ms per patient").build();
    c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    for (String mode : List.of("sequential", "concurrent")) {
      List<PaperBench.Fig2Row> r = rows.stream().filter(x -> x.mode().equals(mode)).toList();
      if (r.isEmpty()) continue;
      List<Integer> x = r.stream().map(PaperBench.Fig2Row::patients).toList();
      c.addSeries("whole process (" + mode + ")", x, r.stream().map(PaperBench.Fig2Row::avgTotalMs).toList());
      c.addSeries("in ledger calls (" + mode + ")", x, r.stream().map(PaperBench.Fig2Row::avgLedgerMs).toList());
    }
    save(c, out.resolve("fig2"));
  }

  static void throughput(Path out, List<double[]> points) throws IOException {
    XYChart c = new XYChartBuilder().width(800).height(500)
        .title("Store throughput, embedded ledger").xAxisTitle("concurrent submitters").yAxisTitle("Store/s").build();
    c.addSeries("Store/s", points.stream().map(p -> p[0]).toList(), points.stream().map(p -> p[1]).toList());
    save(c, out.resolve("throughput"));
  }

  private static void save(Chart<?, ?> chart, Path base) throws IOException {
    BitmapEncoder.saveBitmap(chart, base.toString(), BitmapEncoder.BitmapFormat.PNG);
    VectorGraphicsEncoder.saveVectorGraphic(chart, base.toString(), VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
  }
}
