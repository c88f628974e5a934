// Package discordfake emulates Discord on loopback, faithfully enough that
// the real client, bwmarrin/discordgo, cannot tell it from Discord.
//
// REST (served at /api/v9 and /api/v10, JSON and multipart with
// payload_json + files[n]): gateway discovery, users/@me, DM channels,
// channels (GET, PATCH including thread archived, locked, name and
// applied_tags), messages (send, list, get, edit, delete, replies),
// threads from messages, standalone threads, forum posts with tags,
// reactions, webhooks (create with Discord's name rules and the cap of 15
// per channel, execute with username, avatar_url, wait, thread_id,
// thread_name, applied_tags; edit and delete with thread_id), guild
// channels and members, application commands (bulk overwrite), interaction
// callbacks (4, 5, 6, 7, 9), followups and @original. Errors are
// Discord's bodies and codes, with the Invalid Form Body "errors" tree.
// allowed_mentions applies as Discord does and every resulting ping is
// recorded. Rate-limit headers on every response; buckets, the webhook
// limit and the global limit are enforced when Options.RateLimits is set.
//
// The Gateway speaks HELLO, IDENTIFY with intents (no message content
// without MESSAGE_CONTENT, except DMs, mentions and the bot's own), READY,
// GUILD_CREATE, heartbeats, sequenced dispatches, RESUME replaying every
// missed event, reconnect (op 7) and invalid session (op 9).
//
// Tests act as Discord users through the Server's methods (Send,
// SendMessage, Edit, Delete, React, Unreact, ForumPost, StartThread,
// Command, Click), read what the bot did (Messages, BotMessages, Actions,
// Pings, Interaction, Webhooks, Threads), wait with WaitFor or Changed
// instead of sleeping, and inject faults (FailNext, RateLimitNext,
// GlobalRateLimitNext, SetLatency, DropGateway, Reconnect,
// InvalidateSessions, SetRateLimits); Options.Observe sees every REST call
// as it is answered. Point discordgo at it with
// session.Client = server.HTTPClient().
package discordfake
