// Package telegramfake is an emulator of the Telegram Bot API on loopback,
// faithful enough that go-telegram-bot-api/v5 cannot tell it from Telegram
// for everything cornershop uses, and strict where Telegram is strict.
//
// Wire: /bot<token>/<method> (GET or POST; query, form, JSON or multipart;
// method names case-insensitive) and /file/bot<token>/<file_path>. Answers
// are {"ok":true,"result":…} or {"ok":false,"error_code":N,"description":…}
// with Telegram's codes and wording; unknown methods get 404 "Not Found",
// a wrong token 401 "Unauthorized".
//
// Behaviour kept from Telegram: parse_mode HTML is parsed like tdlib
// (supported tags only, balanced, "<" must start a tag, unknown "&" kept
// literally) and answered with entities in UTF-16 offsets; texts are
// trimmed, limited to 4096 (captions 1024) after parsing; @mentions,
// /commands, hashtags and links are detected; long polling with offset,
// limit, timeout and a remembered allowed_updates (default without
// message_reaction), 409 when a newer poll or a webhook takes over;
// webhooks pushed with X-Telegram-Bot-Api-Secret-Token and retried until
// 2xx (plain http URLs are allowed, unlike Telegram); the 48-hour delete
// rule; forum topics whose messages carry message_thread_id,
// is_topic_message and a reply to the topic's creation message; photos
// listed in two sizes; privacy mode in groups where the bot is not an
// administrator; reaction emoji limited to Telegram's list.
//
// Tests act as users through the Server (SendText, SendPhoto, Edit, Press,
// React, …), read what the bot did (Messages, BotMessages, Actions, Topics,
// Calls), wait with WaitFor instead of sleeping, and inject faults
// (FailNext, RateLimitNext, DelayNext, DropNext, DropPolls, SetLatency,
// Block). Options.RateLimits enforces the published flood limits and
// Violations counts calls made inside a retry_after window; SetRateLimits
// switches the limits at run time and Options.Observe sees every call as
// it is answered (benchmarks timestamp deliveries with it).
// `cornershop emulate telegram` runs it standalone after SeedDemo.
package telegramfake
