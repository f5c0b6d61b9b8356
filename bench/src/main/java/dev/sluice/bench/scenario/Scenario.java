package dev.sluice.bench.scenario;

import dev.sluice.bench.BenchOptions;
import dev.sluice.bench.report.ScenarioResult;

/** One load shape: sets itself up on the server, runs warm-up and measured phases, reports. */
public interface Scenario {

  ScenarioResult run(BenchContext ctx) throws Exception;

  static Scenario of(BenchOptions.Scenario s) {
    return switch (s) {
      case APPEND -> new AppendScenario(false);
      case PRODUCER -> new AppendScenario(true);
      case FANOUT -> new FanoutScenario();
      case LONGPOLL -> new LongPollScenario();
      case CATCHUP -> new CatchupScenario();
      case STREAMS -> new StreamsScenario();
    };
  }
}
