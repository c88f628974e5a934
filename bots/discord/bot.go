// Package discord is cornershop's Discord adapter, built on discordgo. DMs
// with the bot and configured community channels are customer places; a
// desk channel (one thread per conversation) or forum channel (one post
// per conversation, tagged with its status) is the staff desk. Replies in
// guild channels and threads go through one webhook per parent channel
// with the staff member's name and avatar; in DMs, where webhooks cannot
// post, as an embed authored by the staff member.
//
// An idea board is a forum where every post is an idea: the bot posts the
// idea's card with a vote button into the post and tags the post with the
// idea's status.
//
// The bot needs the MESSAGE_CONTENT privileged intent: Developer Portal →
// your application → Bot → Privileged Gateway Intents → Message Content
// Intent. Permissions: View Channels, Send Messages, Send Messages in
// Threads, Create Public Threads, Manage Threads, Manage Webhooks, Read
// Message History, Add Reactions, Embed Links, Attach Files; scopes bot and
// applications.commands.
package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"golang.org/x/sync/singleflight"
	"golang.org/x/time/rate"

	"cornershop/bots/internal/fetch"
	"cornershop/bots/internal/pace"
	"cornershop/core"
)

// Options configure the adapter.
type Options struct {
	// IdeaBoards are forum channels where every post is an idea.
	IdeaBoards    []string
	Token         string
	ApplicationID string
	// APIURL is the REST base ["https://discord.com/"]; a proxy or the
	// emulator. The gateway URL comes from the API, as Discord intends.
	APIURL            string
	DeskChannels      []string
	DeskKind          string // "thread" (default) or "forum"
	CommunityChannels []string
	// ListeningChannels are text channels where every message (threads
	// included) is handed to the relay's listening rules
	// (docs/listening.md); the bot needs the Message Content intent.
	ListeningChannels []string
	// CommunityTrigger: "mention" (default: a mention of the bot or the
	// /cornershop command opens a conversation) or "any" (every message).
	CommunityTrigger string
	TeamName         string
	TeamAvatarURL    string
	// PublicKey is the application's Ed25519 public key in hex (Developer
	// Portal → General Information), for InteractionsHandler; "" when
	// interactions come over the gateway only.
	PublicKey  string
	HTTPClient *http.Client
	// NoPacing turns off the 50 requests/s overall pacing, for an API
	// without limits (the emulators of the benchmark and the crash test).
	// Buckets and 429s are still honoured.
	NoPacing bool
	Logger   *slog.Logger
}

// Bot is the Discord adapter.
type Bot struct {
	o Options
	s *discordgo.Session
	// global paces every REST call to Discord's 50 requests a second,
	// through paced, the REST transport.
	global *rate.Limiter
	paced  *paced
	ready  atomic.Bool
	in     atomic.Pointer[inboxRef]

	mu       sync.Mutex
	parents  map[string]string // channel id -> parent id ("" top level)
	types    map[string]discordgo.ChannelType
	guilds   map[string]string // channel id -> guild id
	names    map[string]string // channel id -> name (a forum post's title)
	webhooks map[string]*discordgo.Webhook
	// hooking makes one lookup-or-create of a channel's webhook at a
	// time: concurrent first sends would each create one otherwise.
	hooking singleflight.Group
	tags    map[string]map[string]string // forum id -> tag name -> id
	read    map[string]bool              // DM channels whose history was read back
	missed  map[string]missedAt          // channel -> oldest unrecorded message (missed.go)
	// missedWake tells the retry loop a message was left unrecorded;
	// catching lets one catch-up of unrecorded messages run at a time.
	missedWake chan struct{}
	catching   sync.Mutex
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
	_ core.IdeaBoard    = (*Bot)(nil)
	_ core.DirectOpener = (*Bot)(nil)
)

// rewrite sends requests for discord.com to a configured base URL.
type rewrite struct {
	target *url.URL
	next   http.RoundTripper
}

func (t rewrite) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Host == "discord.com" || r.URL.Host == "cdn.discordapp.com" {
		r = r.Clone(r.Context())
		r.URL.Scheme, r.URL.Host, r.Host = t.target.Scheme, t.target.Host, t.target.Host
		r.URL.Path = strings.TrimSuffix(t.target.Path, "/") + r.URL.Path
	}
	return t.next.RoundTrip(r)
}

// paced holds every REST call for its turn in the bot's global budget,
// and all of them for the window of a global 429. The budget is lim, or
// the one the replicas share once shared is set (lim again when that
// cannot be asked).
type paced struct {
	next   http.RoundTripper
	lim    *rate.Limiter
	shared atomic.Pointer[sharedBudget]

	mu    sync.Mutex
	until time.Time // end of the last global 429's window
}

// sharedBudget is the replicas' shared budget and where its failures go.
type sharedBudget struct {
	core.RateBudget
	failed *pace.Throttle
}

// globalBudget names the bot's 50 requests a second in a shared budget.
const globalBudget = "discord:*"

// wait waits for the call's turn in the global budget.
func (t *paced) wait(ctx context.Context) error {
	if b := t.shared.Load(); b != nil && t.lim.Limit() != rate.Inf {
		for {
			wait, ok, err := b.Reserve(ctx, globalBudget, pace.Interval(t.lim), t.lim.Burst(), time.Second)
			if err != nil {
				b.failed.Report(err)
				break // this process's budget, then
			}
			if err := pace.Sleep(ctx, wait); err != nil {
				return err
			}
			if ok {
				return nil
			}
		}
	}
	return t.lim.Wait(ctx)
}

func (t *paced) RoundTrip(r *http.Request) (*http.Response, error) {
	t.mu.Lock()
	wait := time.Until(t.until)
	t.mu.Unlock()
	if wait > 0 {
		select {
		case <-time.After(wait):
		case <-r.Context().Done():
			return nil, fmt.Errorf("discord: pacing: %w", r.Context().Err())
		}
	}
	if err := t.wait(r.Context()); err != nil {
		return nil, fmt.Errorf("discord: pacing: %w", err)
	}
	resp, err := t.next.RoundTrip(r)
	if err == nil && resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("X-RateLimit-Global") == "true" {
		if secs, perr := strconv.ParseFloat(resp.Header.Get("Retry-After"), 64); perr == nil {
			t.mu.Lock()
			t.until = time.Now().Add(time.Duration(secs * float64(time.Second)))
			t.mu.Unlock()
		}
	}
	return resp, err
}

// ShareBudget keeps the bot's 50 requests a second in b, which replicas
// share, so that several replicas together keep Discord's limit.
func (b *Bot) ShareBudget(budget core.RateBudget) {
	b.paced.shared.Store(&sharedBudget{RateBudget: budget, failed: &pace.Throttle{Every: 30 * time.Second, Fn: func(err error) {
		b.o.Logger.Warn("shared pacing budget unavailable; pacing this replica alone", "err", err)
	}}})
}

// admit hands a delivery back to the outbox as a retry-after when the
// global budget's next turn is more than pace.MaxWait away, so deliveries
// to Discord do not hold every worker while waiting.
func (b *Bot) admit() error {
	r := b.global.Reserve()
	d := r.Delay()
	r.Cancel()
	if d > pace.MaxWait {
		return core.Paced(d, errors.New("discord: paced to 50 requests/s"))
	}
	return nil
}

// New returns an adapter; it makes no network call.
func New(o Options) (*Bot, error) {
	if o.Token == "" {
		return nil, errors.New("discord: a bot token is required")
	}
	if o.DeskKind == "" {
		o.DeskKind = "thread"
	}
	if o.DeskKind != "thread" && o.DeskKind != "forum" {
		return nil, fmt.Errorf("discord: desk kind %q: want thread or forum", o.DeskKind)
	}
	if o.CommunityTrigger == "" {
		o.CommunityTrigger = "mention"
	}
	if o.PublicKey != "" {
		if _, err := publicKey(o.PublicKey); err != nil {
			return nil, err
		}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 30 * time.Second, Transport: fetch.Transport()}
	}
	if o.APIURL != "" && strings.TrimRight(o.APIURL, "/") != "https://discord.com" {
		u, err := url.Parse(o.APIURL)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("discord: api url %q is not a URL", o.APIURL)
		}
		next := o.HTTPClient.Transport
		if next == nil {
			next = http.DefaultTransport
		}
		c := *o.HTTPClient
		c.Transport = rewrite{target: u, next: next}
		o.HTTPClient = &c
	}
	// Discord allows 50 requests a second per bot; discordgo knows the
	// per-route buckets but not this. Burst 1 keeps any one-second window
	// within 50 (96 % of the rate leaves 40 ms for calls that arrive
	// late). Inside that, held keeps each bucket's retry-after windows.
	global := rate.NewLimiter(0.96*50, 1)
	if o.NoPacing {
		global = rate.NewLimiter(rate.Inf, 1)
	}
	c := *o.HTTPClient
	next := c.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	pc := &paced{next: newHeld(next), lim: global}
	c.Transport = pc
	o.HTTPClient = &c
	s, err := discordgo.New("Bot " + o.Token)
	if err != nil {
		return nil, fmt.Errorf("discord: %w", err)
	}
	s.Client = o.HTTPClient
	s.ShouldRetryOnRateLimit = false // the outbox owns retries
	s.SyncEvents = true              // one channel's events reach core in order
	s.Identify.Intents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages |
		discordgo.IntentsGuildMessageReactions | discordgo.IntentsDirectMessageReactions | discordgo.IntentsMessageContent
	s.LogLevel = discordgo.LogError
	return &Bot{o: o, s: s, global: global, paced: pc, parents: map[string]string{}, types: map[string]discordgo.ChannelType{}, guilds: map[string]string{}, names: map[string]string{},
		webhooks: map[string]*discordgo.Webhook{}, tags: map[string]map[string]string{}, read: map[string]bool{},
		missed: map[string]missedAt{}, missedWake: make(chan struct{}, 1)}, nil
}

// Name implements core.Platform.
func (b *Bot) Name() core.PlatformName { return core.Discord }

// UploadLimit implements core.UploadLimiter.
func (b *Bot) UploadLimit() int64 { return uploadLimit }

// Ready reports whether the gateway is connected.
func (b *Bot) Ready() bool { return b.ready.Load() }

func (b *Bot) isDesk(id string) bool      { return slices.Contains(b.o.DeskChannels, id) }
func (b *Bot) isCommunity(id string) bool { return slices.Contains(b.o.CommunityChannels, id) }
func (b *Bot) isBoard(id string) bool     { return slices.Contains(b.o.IdeaBoards, id) }
func (b *Bot) isListening(id string) bool { return slices.Contains(b.o.ListeningChannels, id) }

// channel learns a channel's parent, type and guild (cached).
func (b *Bot) channel(ctx context.Context, id string) (parent string, typ discordgo.ChannelType, guild string, err error) {
	b.mu.Lock()
	p, ok := b.parents[id]
	t, g := b.types[id], b.guilds[id]
	b.mu.Unlock()
	if ok {
		return p, t, g, nil
	}
	ch, err := b.s.Channel(id, discordgo.WithContext(ctx))
	if err != nil {
		return "", 0, "", b.classify("get channel", err)
	}
	b.remember(ch)
	return ch.ParentID, ch.Type, ch.GuildID, nil
}

func (b *Bot) remember(ch *discordgo.Channel) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.parents[ch.ID], b.types[ch.ID], b.guilds[ch.ID] = ch.ParentID, ch.Type, ch.GuildID
	if ch.Name != "" {
		b.names[ch.ID] = ch.Name
	}
}

// channelName is a channel's name (a forum post's title), cached.
func (b *Bot) channelName(ctx context.Context, id string) (string, error) {
	b.mu.Lock()
	name, ok := b.names[id]
	b.mu.Unlock()
	if ok {
		return name, nil
	}
	ch, err := b.s.Channel(id, discordgo.WithContext(ctx))
	if err != nil {
		return "", b.classify("get channel", err)
	}
	b.remember(ch)
	return ch.Name, nil
}

// classify turns a discordgo error into a delivery class with a reason
// staff can read.
func (b *Bot) classify(what string, err error) error {
	var rl *discordgo.RateLimitError
	if errors.As(err, &rl) {
		if rl.TooManyRequests != nil && rl.Message == heldMessage {
			// Our own hold of a window Discord opened earlier: no new 429.
			return core.Paced(rl.RetryAfter, fmt.Errorf("discord %s: waiting out a retry-after", what))
		}
		return core.RetryAfter(rl.RetryAfter, fmt.Errorf("discord %s: rate limited", what))
	}
	var re *discordgo.RESTError
	if errors.As(err, &re) {
		code, msg := 0, ""
		if re.Message != nil {
			code, msg = re.Message.Code, re.Message.Message
		}
		switch {
		case re.Response != nil && re.Response.StatusCode >= 500:
			return core.Transient(fmt.Errorf("discord %s: %s", what, re.Response.Status))
		case re.Response != nil && re.Response.StatusCode == http.StatusTooManyRequests:
			return core.RetryAfter(time.Second, fmt.Errorf("discord %s: rate limited", what))
		case code == discordgo.ErrCodeCannotSendMessagesToThisUser:
			return core.Permanent(errors.New("the member does not accept DMs from this server"))
		case code == discordgo.ErrCodeUnknownChannel:
			return core.Permanent(errors.New("the Discord channel is gone"))
		case code == discordgo.ErrCodeMissingPermissions || code == discordgo.ErrCodeMissingAccess:
			return core.Permanent(errors.New("the bot lacks a permission in that channel"))
		}
		return core.Permanent(fmt.Errorf("discord %s: %s (code %d)", what, msg, code))
	}
	return core.Transient(fmt.Errorf("discord %s: %s", what, strings.ReplaceAll(err.Error(), b.o.Token, "<token>")))
}
