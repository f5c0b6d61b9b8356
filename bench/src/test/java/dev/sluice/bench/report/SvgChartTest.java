package dev.sluice.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

class SvgChartTest {

  @Test
  void drawsOneEscapedLabelledLinePerSeriesInWellFormedSvg() throws Exception {
    String svg = SvgChart.render("append <100 streams> & more", List.of(
        new SvgChart.Series("sluice", List.of(new double[] {0, 0.4}, new double[] {99, 3}, new double[] {100, 12})),
        new SvgChart.Series("node \"file\"", List.of(new double[] {0, 5}, new double[] {99.99, 80}, new double[] {100, 900}))));
    Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    assertEquals("svg", doc.getDocumentElement().getNodeName());
    assertEquals(2, doc.getElementsByTagName("polyline").getLength());
    assertTrue(svg.contains("append &lt;100 streams&gt; &amp; more"));
    assertTrue(svg.contains("node &quot;file&quot;"));
    assertTrue(svg.contains(">99.9%<"));
    assertTrue(svg.contains(">0.1<") && svg.contains(">1s<"), "log axis spans 0.1 ms .. 1 s");
  }

  @Test
  void anEmptyChartIsStillValid() throws Exception {
    String svg = SvgChart.render("nothing", List.of());
    DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
  }
}
