package dev.sseauth;

import dev.sseauth.adapter.Reply;

/** The outcome of asking for a ticket: {@link IssuedTicket} or {@link Denied}. */
public sealed interface TicketOutcome permits IssuedTicket, Denied {
  /** The complete response of a ticket endpoint for this outcome; never null. */
  Reply reply();
}
