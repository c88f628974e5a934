// Package discordfake is an emulator of Discord's REST API (v9/v10) and
// Gateway on loopback for discordgo: channels, messages (JSON and
// multipart), threads and forum posts with tags, DM channels, reactions,
// webhooks (username, avatar_url, thread_id, thread_name, applied_tags,
// edits and deletes), guild members, application commands and interaction
// callbacks; allowed_mentions applied as Discord does, with every ping
// recorded so tests can assert none happened; the Gateway with HELLO,
// IDENTIFY and intents (no message content without MESSAGE_CONTENT),
// READY, heartbeats, sequenced dispatches, RESUME replaying missed events,
// reconnect (op 7) and invalid session (op 9); rate-limit headers and 429
// bodies.
//
// Tests act as Discord users through the Server's methods (Send, Edit,
// Delete, React, Command, Click), read what the bot did (Messages, Pings)
// and inject faults (FailNext, RateLimitNext, DropGateway).
package discordfake
