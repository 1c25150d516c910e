package dev.sseauth;

/** The outcome of asking for a ticket: {@link IssuedTicket} or {@link Denied}. */
public sealed interface TicketOutcome permits IssuedTicket, Denied {}
