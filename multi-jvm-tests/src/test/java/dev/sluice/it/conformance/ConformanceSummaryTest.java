package dev.sluice.it.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading vitest's JSON report: which failures may be retried as timeouts (ClusterConformanceIT). */
class ConformanceSummaryTest {
  @TempDir Path dir;

  private ConformanceRunner.Summary parse(String json) throws Exception {
    Path report = dir.resolve("report.json");
    Files.writeString(report, json);
    return ConformanceRunner.Summary.parse(report, Duration.ofSeconds(1));
  }

  @Test
  void aTimedOutTestInNestedDescribeBlocksIsATestFailureThoughVitestCountsThreeFailedSuites() throws Exception {
    // The shape of a real report (ClusterConformanceIT, node 2, 2026-12-02): one test timed out
    // inside two describe blocks, and vitest counted the file and both blocks as failed suites.
    ConformanceRunner.Summary s = parse("""
        {"numTotalTestSuites": 50, "numFailedTestSuites": 3, "numTotalTests": 338, "numPassedTests": 331,
         "numFailedTests": 1, "numPendingTests": 6, "numTodoTests": 0,
         "testResults": [{"name": "ds-conformance.test.mjs", "status": "failed", "assertionResults": [
           {"ancestorTitles": ["Property-Based Tests (fast-check)", "State Hash Verification"],
            "title": "replay produces identical content hash", "status": "failed",
            "failureMessages": ["Error: Test timed out in 5000ms."]},
           {"ancestorTitles": ["Basic"], "title": "creates", "status": "passed", "failureMessages": []}]}]}
        """);
    assertEquals(1, s.failed());
    assertEquals(3, s.failedSuites());
    assertTrue(s.onlyTestsFailed(), "a test's timeout may be retried");
    assertEquals(List.of("replay produces identical content hash"), s.failedTitles());
  }

  @Test
  void aFileThatFailedAsAWholeIsNotATestFailure() throws Exception {
    ConformanceRunner.Summary s = parse("""
        {"numTotalTestSuites": 1, "numFailedTestSuites": 1, "numTotalTests": 0, "numPassedTests": 0,
         "numFailedTests": 0, "numPendingTests": 0, "numTodoTests": 0,
         "testResults": [{"name": "ds-conformance.test.mjs", "status": "failed", "message": "Cannot find module",
           "assertionResults": []}]}
        """);
    assertFalse(s.onlyTestsFailed());
  }
}
