package dev.sluice.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class BenchMainTest {

  @Test
  void fileNamesKeepOnlySafeCharacters() {
    assertEquals("node-file--append-s100-c256-closed", BenchMain.fileSafe("node-file--append-s100-c256-closed"));
    assertEquals("a_b_c", BenchMain.fileSafe("a/b c"));
  }
}
