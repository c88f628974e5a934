// Package discord is cornershop's Discord adapter, built on discordgo. DMs
// with the bot and configured community channels are customer places; a
// desk channel (one thread per conversation) or forum channel (one post
// per conversation, tagged with its status) is the staff desk. Replies in
// guild channels and threads go through one webhook per parent channel
// with the staff member's name and avatar; in DMs, where webhooks cannot
// post, as an embed authored by the staff member.
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
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"

	"cornershop/core"
)

// Options configure the adapter.
type Options struct {
	Token         string
	ApplicationID string
	// APIURL is the REST base ["https://discord.com/"]; a proxy or the
	// emulator. The gateway URL comes from the API, as Discord intends.
	APIURL            string
	DeskChannels      []string
	DeskKind          string // "thread" (default) or "forum"
	CommunityChannels []string
	// CommunityTrigger: "mention" (default: a mention of the bot or the
	// /cornershop command opens a conversation) or "any" (every message).
	CommunityTrigger string
	TeamName         string
	TeamAvatarURL    string
	HTTPClient       *http.Client
	Logger           *slog.Logger
}

// Bot is the Discord adapter.
type Bot struct {
	o     Options
	s     *discordgo.Session
	ready atomic.Bool
	in    atomic.Pointer[inboxRef]
	// catchup is the current gateway session's catch-up state.
	catchup atomic.Pointer[catchup]

	mu       sync.Mutex
	parents  map[string]string // channel id -> parent id ("" top level)
	types    map[string]discordgo.ChannelType
	guilds   map[string]string // channel id -> guild id
	webhooks map[string]*discordgo.Webhook
	tags     map[string]map[string]string // forum id -> tag name -> id
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
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 30 * time.Second}
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
	return &Bot{o: o, s: s, parents: map[string]string{}, types: map[string]discordgo.ChannelType{}, guilds: map[string]string{},
		webhooks: map[string]*discordgo.Webhook{}, tags: map[string]map[string]string{}}, nil
}

// Name implements core.Platform.
func (b *Bot) Name() core.PlatformName { return core.Discord }

// Ready reports whether the gateway is connected.
func (b *Bot) Ready() bool { return b.ready.Load() }

func (b *Bot) isDesk(id string) bool      { return slices.Contains(b.o.DeskChannels, id) }
func (b *Bot) isCommunity(id string) bool { return slices.Contains(b.o.CommunityChannels, id) }

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
}

// classify turns a discordgo error into a delivery class with a reason
// staff can read.
func (b *Bot) classify(what string, err error) error {
	var rl *discordgo.RateLimitError
	if errors.As(err, &rl) {
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
