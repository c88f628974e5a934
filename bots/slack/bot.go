// Package slack is cornershop's Slack adapter, built on slack-go. A desk
// channel holds one thread per conversation, rooted in a Block Kit contact
// card; DMs with the app and Slack Connect shared channels are customer
// places. Replies reach Slack customers with the staff member's name and
// face (chat:write.customize), and customers' messages show in the desk
// under their own name and avatar. On an ideas board channel each post is
// a proposal whose card, with a vote button, goes in the post's thread.
//
// Scopes: chat:write, chat:write.customize, users:read, channels:read,
// groups:read, im:read, im:write (DMs with notices about ideas),
// im:history, channels:history, groups:history, reactions:read,
// reactions:write, files:read, files:write; Socket Mode needs an app-level
// token with connections:write. Subscribe to the bot events
// message.channels, message.groups, message.im and reaction_added; create
// the /cornershop slash command and enable interactivity.
//
// Both connection modes: Socket Mode (the default: no public URL) and the
// Events API over HTTP, served by Handler at /events, /commands and
// /interactive (cmd mounts it under /slack/), with v0 signatures checked.
package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	slackapi "github.com/slack-go/slack"
	"golang.org/x/time/rate"

	"cornershop/bots/internal/fetch"
	"cornershop/bots/internal/hold"
	"cornershop/bots/internal/pace"
	"cornershop/core"
)

// Options configure the adapter.
type Options struct {
	// IdeaBoards are channels where every top-level message proposes an
	// idea (its card goes in the post's thread) and thread replies comment.
	IdeaBoards    []string
	BotToken      string
	AppToken      string // xapp-…, Socket Mode
	SigningSecret string // Events API mode
	// APIURL is the Web API base ["https://slack.com/api/"] (GovSlack, a
	// proxy, the emulator).
	APIURL string
	// Mode is "socket" (default) or "events".
	Mode             string
	DeskChannels     []string
	CustomerChannels []string
	// ListeningChannels are channels where every message is handed to the
	// relay's listening rules (docs/listening.md); the app must be a
	// member, with the channels:history (groups:history) scope.
	ListeningChannels []string
	HTTPClient        *http.Client
	// NoPacing turns off the ~1/s per channel pacing of chat.postMessage,
	// for an API without limits (the benchmark's emulator). 429s are still
	// honoured.
	NoPacing bool
	Logger   *slog.Logger
	// Now is the clock for signature windows [time.Now].
	Now func() time.Time
}

// Bot is the Slack adapter.
type Bot struct {
	o     Options
	api   *slackapi.Client
	ready atomic.Bool
	in    atomic.Pointer[inboxRef]
	// who we are, from auth.test
	userID atomic.Pointer[string]
	botID  atomic.Pointer[string]
	// workspace is the workspace's address from auth.test
	// ("https://acme.slack.com/"), for message links.
	workspace atomic.Pointer[string]

	pacer *pace.Pacer

	mu    sync.Mutex
	names map[string]string // user id -> display name cache
}

type inboxRef struct{ core.Inbox }

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
	if o.BotToken == "" {
		return nil, errors.New("slack: a bot token is required")
	}
	if o.Mode == "" {
		o.Mode = "socket"
	}
	switch {
	case o.Mode != "socket" && o.Mode != "events":
		return nil, fmt.Errorf("slack: mode %q: want socket or events", o.Mode)
	case o.Mode == "socket" && o.AppToken == "":
		return nil, errors.New("slack: socket mode needs an app-level token")
	case o.Mode == "events" && o.SigningSecret == "":
		return nil, errors.New("slack: events mode needs the signing secret")
	}
	if o.APIURL == "" {
		o.APIURL = "https://slack.com/api/"
	}
	if !strings.HasSuffix(o.APIURL, "/") {
		o.APIURL += "/"
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 30 * time.Second, Transport: fetch.Transport()}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	client := *o.HTTPClient
	next := client.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	windows := hold.New(o.Now)
	h := held{w: windows, next: next}
	if !o.NoPacing {
		h.locks = &keyLocks{} // paced to ~1/s per channel anyway: one post in flight costs nothing
	}
	client.Transport = h
	opts := []slackapi.Option{slackapi.OptionAPIURL(o.APIURL), slackapi.OptionHTTPClient(&client)}
	if o.AppToken != "" {
		opts = append(opts, slackapi.OptionAppLevelToken(o.AppToken))
	}
	// A burst one under the four Slack tolerates: a post paced at the edge
	// reaches Slack a little later than its token, the first of a burst
	// earlier than the rest.
	perChannel := func(string) *rate.Limiter { return rate.NewLimiter(pace.Margin*1, 3) }
	if o.NoPacing {
		perChannel = nil
	}
	return &Bot{o: o, api: slackapi.New(o.BotToken, opts...), pacer: pace.New("slack", perChannel, nil, windows), names: map[string]string{}}, nil
}

// ShareBudget keeps the adapter's pacing budgets in b, which replicas
// share, so that several replicas together keep Slack's published limits.
func (b *Bot) ShareBudget(budget core.RateBudget) {
	b.pacer.Share(budget, func(err error) {
		b.o.Logger.Warn("shared pacing budget unavailable; pacing this replica alone", "err", err)
	})
}

// Name implements core.Platform.
func (b *Bot) Name() core.PlatformName { return core.Slack }

// UploadLimit implements core.UploadLimiter.
func (b *Bot) UploadLimit() int64 { return uploadLimit }

// Ready reports whether the adapter is connected to Slack.
func (b *Bot) Ready() bool { return b.ready.Load() }

// HoldsConnection reports whether Run keeps a connection that must exist
// once per app (Socket Mode); in events mode Run only readies Handler,
// which any number of replicas may serve.
func (b *Bot) HoldsConnection() bool { return b.o.Mode != "events" }

func (b *Bot) isDesk(channel string) bool { return slices.Contains(b.o.DeskChannels, channel) }

func (b *Bot) isBoard(channel string) bool { return slices.Contains(b.o.IdeaBoards, channel) }

func (b *Bot) isListening(channel string) bool {
	return slices.Contains(b.o.ListeningChannels, channel)
}

func (b *Bot) isCustomer(channel, channelType string) bool {
	return channelType == "im" || slices.Contains(b.o.CustomerChannels, channel)
}

// whoami asks auth.test once.
func (b *Bot) whoami(ctx context.Context) error {
	if b.botID.Load() != nil {
		return nil
	}
	at, err := b.api.AuthTestContext(ctx)
	if err != nil {
		return b.classify("auth.test", err)
	}
	b.userID.Store(&at.UserID)
	b.botID.Store(&at.BotID)
	b.workspace.Store(&at.URL)
	return nil
}

func (b *Bot) ours(botID, userID string) bool {
	if id := b.botID.Load(); id != nil && botID != "" && botID == *id {
		return true
	}
	if id := b.userID.Load(); id != nil && userID != "" && userID == *id {
		return true
	}
	return false
}

// pace keeps chat.postMessage at about one message a second per channel,
// with short bursts, as Slack asks, and out of a channel's announced
// retry-after window. A post whose turn is more than pace.MaxWait away is
// handed back to the outbox as a retry-after (unless mustWait: a later
// part of a split message), so one busy channel does not hold the outbox's
// workers.
func (b *Bot) pace(ctx context.Context, channel string, mustWait bool) error {
	return b.pacer.Take(ctx, channel, mustWait)
}

// classify turns a slack-go error into a delivery class with a reason staff
// can read.
func (b *Bot) classify(method string, err error) error {
	var rl *slackapi.RateLimitedError
	if errors.As(err, &rl) {
		return core.RetryAfter(rl.RetryAfter, fmt.Errorf("slack %s: rate limited", method))
	}
	var sc slackapi.StatusCodeError
	if errors.As(err, &sc) {
		if sc.Code >= 500 {
			return core.Transient(fmt.Errorf("slack %s: %s", method, sc.Status))
		}
		return core.Permanent(fmt.Errorf("slack %s: %s", method, sc.Status))
	}
	var se slackapi.SlackErrorResponse
	if errors.As(err, &se) {
		return b.slackError(method, se.Err)
	}
	msg := err.Error()
	if !strings.Contains(msg, " ") && strings.Contains(msg, "_") || msg == "ratelimited" {
		return b.slackError(method, msg) // slack-go returns Slack's error code as the text
	}
	return core.Transient(fmt.Errorf("slack %s: %s", method, strings.ReplaceAll(msg, b.o.BotToken, "<token>")))
}

func (b *Bot) slackError(method, code string) error {
	reasons := map[string]string{
		"channel_not_found":   "the channel is gone or the app cannot see it",
		"not_in_channel":      "the app is not in that channel: invite it",
		"is_archived":         "the channel is archived",
		"msg_too_long":        "message too long for Slack",
		"missing_scope":       "the Slack app lacks a permission (scope)",
		"invalid_auth":        "Slack rejected the bot token",
		"account_inactive":    "the Slack app was removed",
		"message_not_found":   "the message no longer exists",
		"cant_update_message": "Slack does not let the app edit that message",
		"cant_delete_message": "Slack does not let the app delete that message",
		"thread_not_found":    "the thread no longer exists",
		"restricted_action":   "a workspace admin restricts posting there",
	}
	switch code {
	case "ratelimited":
		return core.RetryAfter(time.Second, fmt.Errorf("slack %s: rate limited", method))
	case "fatal_error", "internal_error", "service_unavailable", "request_timeout":
		return core.Transient(fmt.Errorf("slack %s: %s", method, code))
	}
	if why, ok := reasons[code]; ok {
		return core.Permanent(fmt.Errorf("%s (%s)", why, code))
	}
	return core.Permanent(fmt.Errorf("slack %s: %s", method, code))
}
