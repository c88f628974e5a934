// Package relay is the service behind the Inbox: it turns platform events
// into recorded contacts, conversations and messages and into the deliveries
// they owe (flows 1 to 3 of the design), and it performs those deliveries for
// the outbox worker by composing what each platform must post.
package relay
