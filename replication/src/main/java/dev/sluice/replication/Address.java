package dev.sluice.replication;

/**
 * Where a message goes. In the actor wiring a replica or writer address maps to an {@code ActorRef} on
 * storage node {@code id}; a client address to the {@code replyTo} of an HTTP request.
 */
public record Address(Kind kind, int id) {
  public enum Kind { REPLICA, WRITER, CLIENT }

  public static Address replica(int node) {
    return new Address(Kind.REPLICA, node);
  }

  public static Address writer(int node) {
    return new Address(Kind.WRITER, node);
  }

  public static Address client(int id) {
    return new Address(Kind.CLIENT, id);
  }

  @Override
  public String toString() {
    return kind.name().charAt(0) + "" + id;
  }
}
