// Package telegram is cornershop's Telegram adapter, built on
// go-telegram-bot-api/v5. Private chats with the bot, and messages
// addressed to it in configured groups, are customer places; a forum
// supergroup is a staff desk with one topic per conversation. Replies are
// signed with the staff member's name and title, since a Telegram bot
// cannot change its sender.
//
// The bot needs, in customer groups: privacy mode on is enough (it sees
// commands, mentions and replies to itself). In the desk supergroup it
// must be an administrator with "Manage topics" (to open, rename, close
// and reopen topics) and must see every message: make it an administrator,
// or turn privacy mode off with @BotFather (/setprivacy → Disable).
// Reactions reach it only where it is an administrator.
//
// Bot API methods that v5.5.1 predates (forum topics, message_thread_id,
// reactions, secret_token) go through MakeRequest, and updates are
// decoded by this package so no field the library drops is lost.
package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"golang.org/x/time/rate"

	"cornershop/bots/internal/fetch"
	"cornershop/bots/internal/hold"
	"cornershop/bots/internal/pace"
	"cornershop/core"
)

// Options configure the adapter.
type Options struct {
	// IdeaBoards are forum topics ("chat/topic") where every post is an
	// idea.
	IdeaBoards []string
	Token      string
	// APIURL is the Bot API server ["https://api.telegram.org"]; a
	// self-hosted server or the emulator.
	APIURL string
	// Mode is "polling" (default) or "webhook".
	Mode string
	// WebhookURL is the public URL Telegram pushes to in webhook mode; it
	// must end in the path Handler serves, /webhook, under the prefix cmd
	// mounts it at (e.g. https://example.com/telegram/webhook).
	WebhookURL    string
	WebhookSecret string
	// WebhookMaxConnections is setWebhook's max_connections, 1-100 [40,
	// Telegram's default].
	WebhookMaxConnections int
	// PollTimeout is the long-poll wait [50s].
	PollTimeout time.Duration
	// DeskChats are forum supergroups used as staff desks.
	DeskChats []string
	// Groups are group chats whose messages to the bot are customer places.
	Groups []string
	// Listening are group chats where every message is handed to the
	// relay's listening rules (docs/listening.md); the bot needs privacy
	// mode off, or to be an admin there, to see them.
	Listening []string
	// FileSizeLimit is the largest file relayed [20 MiB, the Bot API
	// download limit]; larger ones are named in a note.
	FileSizeLimit int64
	HTTPClient    *http.Client
	// NoPacing turns off the per-chat, per-group and overall pacing of
	// sends, for an API server without limits (the benchmark's emulator).
	// 429s are still honoured.
	NoPacing bool
	Logger   *slog.Logger
}

// Bot is the Telegram adapter.
type Bot struct {
	o     Options
	api   *tgbotapi.BotAPI
	self  atomic.Pointer[tgbotapi.User]
	ready atomic.Bool

	in    atomic.Pointer[inbox]
	pacer *pace.Pacer
	held  *hold.Windows // retry_after windows Telegram announced, per chat or method
}

type inbox struct{ core.Inbox }

var (
	_ core.Platform     = (*Bot)(nil)
	_ core.ThreadOpener = (*Bot)(nil)
	_ core.CardUpdater  = (*Bot)(nil)
	_ core.Editor       = (*Bot)(nil)
	_ core.Deleter      = (*Bot)(nil)
	_ core.Reactor      = (*Bot)(nil)
	_ core.Downloader   = (*Bot)(nil)
	_ core.StaffLookup  = (*Bot)(nil)
)

// New returns an adapter; it makes no network call.
func New(o Options) (*Bot, error) {
	if o.Token == "" {
		return nil, errors.New("telegram: a bot token is required")
	}
	if o.APIURL == "" {
		o.APIURL = "https://api.telegram.org"
	}
	o.APIURL = strings.TrimRight(o.APIURL, "/")
	if o.Mode == "" {
		o.Mode = "polling"
	}
	if o.Mode != "polling" && o.Mode != "webhook" {
		return nil, fmt.Errorf("telegram: mode %q: want polling or webhook", o.Mode)
	}
	if o.Mode == "webhook" && (o.WebhookURL == "" || o.WebhookSecret == "") {
		return nil, errors.New("telegram: webhook mode needs a webhook URL and secret")
	}
	if o.PollTimeout <= 0 {
		o.PollTimeout = 50 * time.Second
	}
	if o.WebhookMaxConnections == 0 {
		o.WebhookMaxConnections = 40
	}
	if o.WebhookMaxConnections < 1 || o.WebhookMaxConnections > 100 {
		return nil, fmt.Errorf("telegram: webhook max connections %d: want 1-100", o.WebhookMaxConnections)
	}
	if o.FileSizeLimit <= 0 {
		o.FileSizeLimit = 20 << 20
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: o.PollTimeout + 15*time.Second, Transport: fetch.Transport()}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	api := &tgbotapi.BotAPI{Token: o.Token, Client: o.HTTPClient, Buffer: 100}
	api.SetAPIEndpoint(o.APIURL + "/bot%s/%s")
	perChat := func(chat string) *rate.Limiter {
		if strings.HasPrefix(chat, "-") {
			return rate.NewLimiter(pace.Margin/3, 3) // 20 a minute in groups
		}
		return rate.NewLimiter(pace.Margin*1, 3)
	}
	if o.NoPacing {
		perChat = nil
	}
	// 30 a second overall; one token short of Telegram's burst so that
	// calls arriving unevenly stay within it.
	held := hold.New(nil)
	return &Bot{o: o, api: api, pacer: pace.New("telegram", perChat, rate.NewLimiter(pace.Margin*30, 29), held), held: held}, nil
}

// ShareBudget keeps the adapter's pacing budgets in b, which replicas
// share, so that several replicas together keep Telegram's published limits.
func (b *Bot) ShareBudget(budget core.RateBudget) {
	b.pacer.Share(budget, func(err error) {
		b.o.Logger.Warn("shared pacing budget unavailable; pacing this replica alone", "err", err)
	})
}

// Name implements core.Platform.
func (b *Bot) Name() core.PlatformName { return core.Telegram }

// UploadLimit implements core.UploadLimiter.
func (b *Bot) UploadLimit() int64 { return uploadLimit }

// Ready reports whether the bot reached Telegram and is receiving.
func (b *Bot) Ready() bool { return b.ready.Load() }

// HoldsConnection reports whether Run keeps a connection that must exist
// once per bot (long polling: Telegram answers a second poller with 409);
// in webhook mode Run registers the webhook (the same on every replica)
// and Handler, which any replica may serve, receives.
func (b *Bot) HoldsConnection() bool { return b.o.Mode != "webhook" }

func (b *Bot) isDesk(chatID int64) bool {
	id := strconv.FormatInt(chatID, 10)
	for _, d := range b.o.DeskChats {
		if d == id {
			return true
		}
	}
	return false
}

func (b *Bot) isListening(chatID int64) bool {
	return slices.Contains(b.o.Listening, strconv.FormatInt(chatID, 10))
}

func (b *Bot) isGroup(chatID int64) bool {
	id := strconv.FormatInt(chatID, 10)
	for _, g := range b.o.Groups {
		if g == id {
			return true
		}
	}
	return false
}

// me asks getMe once and remembers who the bot is.
func (b *Bot) me(ctx context.Context) (*tgbotapi.User, error) {
	if u := b.self.Load(); u != nil {
		return u, nil
	}
	resp, err := b.call(ctx, "getMe", tgbotapi.Params{})
	if err != nil {
		return nil, err
	}
	var u tgbotapi.User
	if err := decode(resp, &u); err != nil {
		return nil, err
	}
	b.self.Store(&u)
	return &u, nil
}

// pace waits for the chat's and the bot's send budget — about one message
// a second per chat (20 a minute in groups) and 30 a second overall — and
// for the end of the chat's announced retry-after window. A send whose turn
// is more than pace.MaxWait away is handed back to the outbox as a
// retry-after (unless mustWait: a later part of a split message), so one
// busy chat does not hold the outbox's workers.
func (b *Bot) pace(ctx context.Context, chat string, mustWait bool) error {
	return b.pacer.Take(ctx, chat, mustWait)
}
