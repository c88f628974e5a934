// Package telegramfake is an emulator of the Telegram Bot API on loopback,
// faithful enough that go-telegram-bot-api/v5 cannot tell it from Telegram
// for everything cornershop uses: getMe, getUpdates long polling with offset
// and allowed_updates, webhooks with X-Telegram-Bot-Api-Secret-Token,
// sendMessage with parse_mode HTML validated as Telegram does, edits,
// deletes (48-hour rule), photos and documents (multipart), getFile and
// downloads, forum topics, inline keyboards with callback queries, and
// message reactions. Error bodies and codes are Telegram's.
//
// Tests act as Telegram users through the Server's methods (SendText,
// Edit, Press, React, …), read everything the bot did (Messages, Topics,
// Calls) and inject faults (FailNext, RateLimitNext). `cornershop emulate
// telegram` runs it standalone.
package telegramfake
