package dev.sluice.actors.stream;

/**
 * This node's copy of a stream's data ends before the committed tail the owner reported: the
 * replica has not materialized that range yet (it normally does within milliseconds). The read is
 * retried shortly; if the copy stays behind, the client gets a 503 to retry, never a short answer.
 */
public final class DataNotLocalYetException extends RuntimeException {
  public DataNotLocalYetException(long storeId, long storedEnd, long needed) {
    super("this node holds store " + storeId + " up to byte " + storedEnd + ", the committed tail is " + needed, null, false, false);
  }
}
