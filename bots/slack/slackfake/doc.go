// Package slackfake is an emulator of the Slack platform on loopback for
// slack-go: the Web API methods cornershop uses (auth.test,
// chat.postMessage with username/icon_url/thread_ts/blocks, chat.update,
// chat.delete, users.info, conversations.info/members/open,
// reactions.add, the three-step external file upload,
// apps.connections.open) with token and scope checks, Socket Mode over
// WebSocket (hello, events_api / slash_commands / interactive envelopes,
// acks, redelivery, refresh disconnects) and Events API pushes signed with
// the v0 scheme and retried with X-Slack-Retry-Num as Slack does.
//
// Tests act as Slack users through the Server's methods (Post, Edit,
// Delete, React, Slash, Click), read everything the bot did (Messages) and
// inject faults (FailNext, RateLimitNext, SetLatency, SetRateLimits).
// Options.Observe sees every Web API call as it is answered (benchmarks
// timestamp deliveries with it).
package slackfake
