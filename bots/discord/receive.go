package discord

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"cornershop/core"
)

// Receive makes the Interactions Endpoint (InteractionsHandler) hand
// what it receives to in. Run does it too; a replica that does not hold
// the gateway calls Receive alone, so interactions reach any replica
// behind a load balancer.
func (b *Bot) Receive(in core.Inbox) { b.in.CompareAndSwap(nil, &inboxRef{in}) }

// Run implements core.Platform: it registers /cornershop and the
// customers' /idea, /ideas and /vote, opens the gateway and keeps it
// (discordgo resumes dropped sessions) until ctx ends.
func (b *Bot) Run(ctx context.Context, in core.Inbox) error {
	b.in.Store(&inboxRef{in})
	defer b.ready.Store(false)
	// Handlers are this Run's: a Run after the gateway's lock was lost and
	// won again must not leave the last one's (with its ended ctx) behind.
	fresh := true // no session event seen yet in this Run
	for _, h := range []any{
		func(_ *discordgo.Session, _ *discordgo.Ready) {
			fresh = false
			b.catchUp(ctx) // a new session: nothing missed is replayed (backlog.go)
			b.catchUpAllMissed(ctx)
			b.ready.Store(true)
		},
		func(_ *discordgo.Session, _ *discordgo.Resumed) {
			if fresh {
				// The lock was won again and the old session resumed: what
				// the last Run received and could not record is not
				// replayed, and the newest records may be past it.
				fresh = false
				b.catchUp(ctx)
			}
			b.catchUpAllMissed(ctx)
			b.ready.Store(true)
		},
		func(_ *discordgo.Session, _ *discordgo.Disconnect) { b.ready.Store(false) },
		func(_ *discordgo.Session, m *discordgo.MessageCreate) { b.onMessageCreate(ctx, m.Message) },
		func(_ *discordgo.Session, m *discordgo.MessageUpdate) {
			b.deliverIn(ctx, "edit", m.ChannelID, m.ID, b.understand(ctx, func() pending { return b.onEdit(ctx, m.Message) }))
		},
		func(_ *discordgo.Session, m *discordgo.MessageDelete) {
			b.deliverIn(ctx, "delete", m.ChannelID, m.ID, b.onDelete(ctx, m))
		},
		func(_ *discordgo.Session, r *discordgo.MessageReactionAdd) {
			b.deliverIn(ctx, "reaction", r.ChannelID, r.MessageID, b.onReaction(ctx, r))
		},
		func(_ *discordgo.Session, i *discordgo.InteractionCreate) { b.onInteraction(ctx, i) },
		func(_ *discordgo.Session, t *discordgo.ThreadCreate) { b.remember(t.Channel) },
	} {
		defer b.s.AddHandler(h)()
	}
	go b.retryMissed(ctx)
	for {
		err := b.s.Open()
		if err == nil {
			break
		}
		b.o.Logger.Warn("discord gateway: cannot connect", "err", b.classify("gateway", err))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Second):
		}
	}
	if b.o.ApplicationID != "" {
		if _, err := b.s.ApplicationCommandBulkOverwrite(b.o.ApplicationID, "", registeredCommands(), discordgo.WithContext(ctx)); err != nil {
			b.o.Logger.Warn("discord: could not register commands", "err", b.classify("register commands", err))
		}
	}
	<-ctx.Done()
	_ = b.s.Close()
	return ctx.Err()
}

// pending is one event to hand to core, or none.
type pending struct {
	event core.Event
	err   error
}

// understand turns an event into a core event with read, which may look
// things up (a thread's parent channel), retrying while the lookup fails
// for a passing reason: Discord pushes each event once.
func (b *Bot) understand(ctx context.Context, read func() pending) pending {
	wait := 100 * time.Millisecond
	for attempt := 0; ; attempt++ {
		p := read()
		class, after := core.Classify(p.err)
		if p.err == nil || attempt == 8 || (class != core.ClassTransient && class != core.ClassRetryAfter) {
			return p
		}
		if class == core.ClassRetryAfter {
			wait = after
		}
		select {
		case <-ctx.Done():
			return p
		case <-time.After(wait):
		}
		wait = min(wait*2, 5*time.Second)
	}
}

// onMessageCreate handles a live message. Where an earlier message of the
// channel is still unrecorded, the channel is read back from it instead
// (the history holds m too), so the channel's order holds.
func (b *Bot) onMessageCreate(ctx context.Context, m *discordgo.Message) {
	if b.missing(m.ChannelID) {
		ok, through := b.catchUpMissed(ctx, m.ChannelID)
		if !ok || through != "" && cmpSnowflake(m.ID, through) <= 0 {
			return // read back, or to be: m is after the oldest unrecorded
		}
		// Caught up by a read that ended before m (or by another): hand
		// m in as it came.
	}
	b.readNewDM(ctx, m)
	if b.missing(m.ChannelID) {
		return // an earlier message could not be recorded: m is read back after it
	}
	_ = b.deliverIn(ctx, "message", m.ChannelID, m.ID, b.understand(ctx, func() pending { return b.onMessage(ctx, m) }))
}

// deliverIn hands an event (message id in channel) to the inbox, retrying
// for a while when the store is briefly unavailable. Discord pushes events
// once: a message that cannot be recorded (nor understood) is remembered
// and read back later (missed.go); any other event is logged as lost. It
// returns errNotRecorded when the event was not recorded.
func (b *Bot) deliverIn(ctx context.Context, kind, channel, id string, p pending) error {
	if p.err != nil {
		if class, _ := core.Classify(p.err); class == core.ClassPermanent && ctx.Err() == nil {
			// Reading it again would fail the same way (a channel gone).
			b.o.Logger.Error("discord event not understood; dropped", "kind", kind, "channel", channel, "message", id, "err", p.err)
			return nil
		}
		b.notRecorded(kind, core.Place{Platform: core.Discord, Chat: channel}, id, p.err)
		return errNotRecorded
	}
	if p.event == nil {
		return nil
	}
	in := b.in.Load()
	wait := 100 * time.Millisecond
	for attempt := 0; ; attempt++ {
		err := in.Handle(ctx, p.event)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, core.ErrInvalid):
			b.o.Logger.Warn("discord event refused", "kind", kind, "channel", channel, "message", id, "err", err)
			return nil
		case ctx.Err() != nil || attempt == deliverAttempts:
			b.notRecorded(kind, p.event.Where(), id, err)
			return errNotRecorded
		}
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
		wait = min(wait*2, 3*time.Second)
	}
}

// deliverAttempts is how many times deliverIn retries a failing store
// (about 6 s in all) before leaving a message to be read back: the
// gateway's events wait meanwhile.
const deliverAttempts = 6

// notRecorded logs an event that could not be recorded and, for a
// message, remembers it to be read back.
func (b *Bot) notRecorded(kind string, place core.Place, id string, err error) {
	if kind != "message" {
		b.o.Logger.Error("discord event not recorded", "kind", kind, "channel", target(place), "message", id, "err", err)
		return
	}
	b.o.Logger.Warn("discord message not recorded; it will be read back", "channel", target(place), "message", id, "err", err)
	b.miss(place, id)
}

// placeOf says where a message in channel is, and whether cornershop hears
// it: DMs, desk threads, community channels and their threads, posts on
// idea boards. A thread's parent comes from THREAD_CREATE or, when that was
// missed, from the API.
func (b *Bot) placeOf(ctx context.Context, channelID, guildID string) (core.Place, bool, error) {
	p := core.Place{Platform: core.Discord, Chat: channelID}
	if guildID == "" {
		// A DM: remember it, so answering needs no channel lookup.
		b.remember(&discordgo.Channel{ID: channelID, Type: discordgo.ChannelTypeDM})
		return p, true, nil
	}
	if b.isDesk(channelID) || b.isCommunity(channelID) || b.isListening(channelID) {
		return p, true, nil
	}
	parent, _, _, err := b.channel(ctx, channelID)
	if err != nil {
		return p, false, err
	}
	if parent != "" && (b.isDesk(parent) || b.isCommunity(parent) || b.isBoard(parent) || b.isListening(parent)) {
		return core.Place{Platform: core.Discord, Chat: parent, Thread: channelID}, true, nil
	}
	return p, b.isBoard(channelID), nil // a text channel as a board: every message an idea
}

func (b *Bot) self() string {
	if b.s.State != nil && b.s.State.User != nil {
		return b.s.State.User.ID
	}
	return b.o.ApplicationID
}

func (b *Bot) onMessage(ctx context.Context, m *discordgo.Message) pending {
	if m.Author == nil || m.Author.ID == b.self() || m.WebhookID != "" || m.Author.Bot {
		return pending{} // our own posts and our webhooks' come back: never relay them
	}
	place, ok, err := b.placeOf(ctx, m.ChannelID, m.GuildID)
	if err != nil || !ok {
		return pending{err: err}
	}
	if b.isDesk(place.Chat) && place.Thread == "" {
		return pending{} // the desk channel's own chatter
	}
	if b.isListening(place.Chat) {
		return b.heard(m, place)
	}
	if (m.GuildID == "" || b.isCommunity(place.Chat)) && b.customerCommand(ctx, m, place) {
		return pending{}
	}
	if b.isCommunity(place.Chat) && place.Thread == "" && b.o.CommunityTrigger != "any" && !mentions(m, b.self()) {
		return pending{}
	}
	e := core.MessageEvent{
		Place: place, ID: m.ID, Sender: sender(m.Author, m.Member), Text: b.text(m),
		Attachments: attachments(m), At: m.Timestamp, Direct: m.GuildID == "",
	}
	if b.isBoard(place.Chat) && place.Thread != "" && place.Thread == m.ID {
		// A forum post's first message shares the post's id; the post's
		// name is the idea's title.
		if e.Subject, err = b.channelName(ctx, place.Thread); err != nil {
			return pending{err: err}
		}
		e.Subject = strings.TrimSpace(e.Subject)
	}
	return pending{event: e}
}

func mentions(m *discordgo.Message, self string) bool {
	for _, u := range m.Mentions {
		if u.ID == self {
			return true
		}
	}
	return strings.Contains(m.Content, "<@"+self+">") || strings.Contains(m.Content, "<@!"+self+">")
}

func sender(u *discordgo.User, member *discordgo.Member) core.Sender {
	name := u.GlobalName
	if member != nil && member.Nick != "" {
		name = member.Nick
	}
	if name == "" {
		name = u.Username
	}
	return core.Sender{UserID: u.ID, Handle: u.Username, Name: name, AvatarURL: u.AvatarURL("128"), Bot: u.Bot}
}

// text is a message's neutral text: the bot's mention removed, other
// mentions as @names, stickers and embeds described.
func (b *Bot) text(m *discordgo.Message) string {
	names := map[string]string{}
	for _, u := range m.Mentions {
		names[u.ID] = u.Username
	}
	text := strings.NewReplacer("<@"+b.self()+">", "", "<@!"+b.self()+">", "").Replace(m.Content)
	text = strings.TrimSpace(plain(text, names))
	var extra []string
	for _, s := range m.StickerItems {
		extra = append(extra, fmt.Sprintf("[sticker %s]", s.Name))
	}
	for _, e := range m.Embeds {
		if d := strings.TrimSpace(e.Title + " " + e.Description); d != "" {
			extra = append(extra, "[embed] "+d)
		}
	}
	if len(extra) > 0 {
		text = strings.TrimSpace(text + "\n" + strings.Join(extra, "\n"))
	}
	return text
}

func attachments(m *discordgo.Message) []core.Attachment {
	var out []core.Attachment
	for _, a := range m.Attachments {
		kind := core.KindFile
		if strings.HasPrefix(a.ContentType, "image/") {
			kind = core.KindImage
		}
		out = append(out, core.Attachment{Kind: kind, Name: a.Filename, ContentType: a.ContentType, Size: int64(a.Size), Platform: core.Discord, Ref: a.URL})
	}
	return out
}

func (b *Bot) onEdit(ctx context.Context, m *discordgo.Message) pending {
	if m.Author == nil || m.Author.ID == b.self() || m.WebhookID != "" || m.Author.Bot || m.Content == "" {
		return pending{}
	}
	place, ok, err := b.placeOf(ctx, m.ChannelID, m.GuildID)
	if err != nil || !ok {
		return pending{err: err}
	}
	at := time.Now()
	if m.EditedTimestamp != nil {
		at = *m.EditedTimestamp
	}
	return pending{event: core.EditEvent{Place: place, ID: m.ID, Sender: sender(m.Author, m.Member), Text: b.text(m), At: at}}
}

func (b *Bot) onDelete(ctx context.Context, m *discordgo.MessageDelete) pending {
	place, ok, err := b.placeOf(ctx, m.ChannelID, m.GuildID)
	if err != nil || !ok {
		return pending{err: err}
	}
	return pending{event: core.DeleteEvent{Place: place, ID: m.ID, At: time.Now()}}
}

func (b *Bot) onReaction(ctx context.Context, r *discordgo.MessageReactionAdd) pending {
	if r.UserID == b.self() || r.Emoji.ID != "" {
		return pending{} // custom emoji have no meaning elsewhere
	}
	place, ok, err := b.placeOf(ctx, r.ChannelID, r.GuildID)
	if err != nil || !ok {
		return pending{err: err}
	}
	s := core.Sender{UserID: r.UserID}
	if r.Member != nil && r.Member.User != nil {
		s = sender(r.Member.User, r.Member)
	}
	return pending{event: core.ReactionEvent{Place: place, ID: r.MessageID, Sender: s, Emoji: r.Emoji.Name, At: time.Now()}}
}

// onInteraction runs /cornershop and the card's buttons through the
// ActionInbox and answers ephemerally through Discord's callback route. An
// interaction acted on before (a replayed request) is not answered there —
// it was, the first time — and onInteraction reports it as a repeat.
func (b *Bot) onInteraction(ctx context.Context, i *discordgo.InteractionCreate) (repeat bool) {
	in := b.in.Load()
	ai, ok := in.Inbox.(core.ActionInbox)
	if !ok {
		return false
	}
	name, args, ok := interactionAction(i)
	if !ok {
		return false
	}
	u := i.User
	if i.Member != nil {
		u = i.Member.User
	}
	answer := "Done."
	var buttons []core.Button
	place, ok, err := b.placeOf(ctx, i.ChannelID, i.GuildID)
	if err == nil && ok && place.Thread == "" && i.Message != nil && b.isDesk(place.Chat) {
		// A button on a card in the desk channel acts on the thread
		// started from that card, which shares the card's id.
		place.Thread = i.Message.ID
	}
	switch {
	case err != nil || !ok:
		answer = "This channel is not part of cornershop."
	default:
		res, err := ai.Act(ctx, core.ActionEvent{Place: place, Sender: sender(u, i.Member), Name: name, Args: args, ID: i.ID, At: time.Now()})
		switch {
		case err != nil:
			answer = "Something went wrong; try again."
			b.o.Logger.Warn("discord interaction failed", "err", err)
		case res.Repeat:
			b.o.Logger.Info("discord interaction already handled", "interaction", i.ID)
			return true
		case res.Message:
			// Content (an answer's body, perhaps a member's words): shown
			// as text, so no markdown in it can disguise a link.
			answer, buttons = escape(res.Text), res.Buttons
		case res.Text != "":
			answer, buttons = res.Text, res.Buttons
		}
	}
	if len([]rune(answer)) > maxContent {
		answer = string([]rune(answer)[:maxContent-1]) + "…"
	}
	err = b.s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Content: answer, Flags: discordgo.MessageFlagsEphemeral,
			Components: components(buttons), AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}},
	}, discordgo.WithContext(ctx))
	if err != nil {
		b.o.Logger.Warn("discord: could not answer an interaction", "err", b.classify("interaction", err))
	}
	return false
}

// customerCommand answers a customer command typed in a DM or community
// channel and reports whether it did.
func (b *Bot) customerCommand(ctx context.Context, m *discordgo.Message, place core.Place) bool {
	name, args, ok := parseCommand(b.text(m))
	allowed := dmCommands
	if m.GuildID != "" {
		allowed = ideaCommands
	}
	if !ok || !slices.Contains(allowed, name) {
		return false
	}
	ai, ok := b.in.Load().Inbox.(core.ActionInbox)
	if !ok {
		return false
	}
	res, err := ai.Act(ctx, core.ActionEvent{Place: place, Sender: sender(m.Author, m.Member),
		Name: name, Args: args, ID: m.ID, At: m.Timestamp})
	if err != nil {
		b.o.Logger.Warn("discord: customer command failed", "err", err)
		return true
	}
	if res.Text != "" {
		if _, err := b.sendBot(ctx, place, escape(res.Text), nil, components(res.Buttons), noPings()); err != nil {
			b.o.Logger.Warn("discord: could not answer a command", "err", err)
		}
	}
	return true
}
