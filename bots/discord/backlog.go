package discord

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"cornershop/core"
)

// Discord replays missed events only to a resumed session. A new session
// (a restart, or a re-identify after op 9) starts from now, so what was
// written while cornershop was down — or dispatched to a process that
// died before recording it — is only in the channels' history. On every
// READY the adapter reads that history back from each place the Inbox
// has recorded (core.Backlog) and hands it in like live events; the Inbox
// drops what it already has. It runs inside the READY handler, so with
// SyncEvents the live events queued behind it arrive after it, in order.
const (
	// backlogSince is how far back cornershop looks for places to read:
	// conversations with nothing recorded for longer are not read back.
	backlogSince = 7 * 24 * time.Hour
	// backlogOverlap is read again before each place's newest recorded
	// id: messages are recorded one at a time, but cornershop's own posts
	// are recorded concurrently, so the newest id may be a post made just
	// after a message that was dispatched but never recorded.
	backlogOverlap = time.Minute
	discordEpochMS = 1420070400000
)

// catchUp reads back every place the Inbox knows, oldest message first.
func (b *Bot) catchUp(ctx context.Context) {
	bl, ok := b.in.Load().Inbox.(core.Backlog)
	if !ok {
		return
	}
	cursors, err := bl.Cursors(ctx, core.Discord, time.Now().Add(-backlogSince))
	if err != nil {
		b.o.Logger.Warn("discord: cannot list places to read back", "err", err)
		return
	}
	read := 0
	for _, c := range cursors {
		b.markRead(target(c.Place))
		if b.missing(target(c.Place)) {
			continue // read from its oldest unrecorded message instead (missed.go)
		}
		n, _, err := b.readBack(ctx, c, "")
		read += n
		if err != nil && ctx.Err() == nil && !errors.Is(err, errNotRecorded) {
			b.o.Logger.Warn("discord: cannot read a channel back", "channel", target(c.Place), "err", err)
		}
	}
	if len(cursors) > 0 {
		b.o.Logger.Info("discord: read back history after a new session", "places", len(cursors), "messages", read)
	}
}

// markRead notes that a DM channel's history has been (or is being) read
// back and reports whether it had been already.
func (b *Bot) markRead(channel string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	was := b.read[channel]
	b.read[channel] = true
	return was
}

// readNewDM reads back a DM channel the first time this process hears
// from it without having read it at READY: the Inbox had nothing recorded
// there, so what the customer wrote before (while cornershop was down, or
// dispatched to a process that died before recording a first message) is
// only in the history. It runs before m itself is handed in, which the
// history includes, so order is kept.
func (b *Bot) readNewDM(ctx context.Context, m *discordgo.Message) {
	if m.GuildID != "" || m.Author == nil || m.Author.ID == b.self() || b.markRead(m.ChannelID) {
		return
	}
	since := strconv.FormatUint(uint64(time.Now().Add(-backlogSince).UnixMilli()-discordEpochMS)<<22, 10)
	if _, _, err := b.readBack(ctx, core.Cursor{Place: core.Place{Platform: core.Discord, Chat: m.ChannelID}, Last: since}, m.ID); err != nil && ctx.Err() == nil && !errors.Is(err, errNotRecorded) {
		b.o.Logger.Warn("discord: cannot read a new DM back", "channel", m.ChannelID, "err", err)
	}
}

// readBack hands in the messages of one place after its cursor (less the
// overlap), and before until when it is not "" (live events carry the
// rest), and returns how many it read and the newest id it handed in. It
// stops at the first message it cannot record (errNotRecorded), which is
// remembered to be read back (missed.go).
func (b *Bot) readBack(ctx context.Context, c core.Cursor, until string) (n int, through string, err error) {
	ch := target(c.Place)
	_, _, guild, err := b.channel(ctx, ch)
	if err != nil {
		return 0, "", err
	}
	last, after := readFrom(c.Last)
	for {
		page, err := b.history(ctx, ch, after)
		if err != nil {
			return n, through, err
		}
		slices.SortFunc(page, func(x, y *discordgo.Message) int { return cmpSnowflake(x.ID, y.ID) })
		for _, m := range page {
			if until != "" && cmpSnowflake(m.ID, until) >= 0 {
				return n, through, nil
			}
			if m.GuildID == "" {
				m.GuildID = guild // REST messages do not carry it; placeOf needs it
			}
			if cmpSnowflake(m.ID, last) > 0 || !strings.HasPrefix(m.Content, "/") {
				// A DM command (/start, /link) is answered, not
				// recorded: in the overlap it was answered already.
				if err := b.deliverIn(ctx, "message", m.ChannelID, m.ID, b.understand(ctx, func() pending { return b.onMessage(ctx, m) })); err != nil {
					return n, through, err // remembered: read back from it later
				}
			}
			after, through = m.ID, m.ID
			n++
		}
		if len(page) < 100 {
			return n, through, nil
		}
	}
}

// history reads up to 100 messages of ch after an id, waiting out rate
// limits exactly and retrying server failures a few times: what it cannot
// read now is lost until the next new session.
func (b *Bot) history(ctx context.Context, ch, after string) ([]*discordgo.Message, error) {
	wait := 100 * time.Millisecond
	for attempt := 0; ; attempt++ {
		page, err := b.s.ChannelMessages(ch, 100, "", after, "", discordgo.WithContext(ctx))
		if err == nil {
			return page, nil
		}
		err = b.classify("read history", err)
		class, retryAfter := core.Classify(err)
		switch {
		case class == core.ClassRetryAfter:
			wait = retryAfter
		case class != core.ClassTransient || attempt >= 8:
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
		if class == core.ClassTransient {
			wait = min(wait*2, 5*time.Second)
		}
	}
}

// readFrom turns a cursor's last id into a message id and the id to read
// the history after: a minute earlier (backlogOverlap), or the channel's
// start when there is no id. Webhook posts are recorded with a prefix; the
// id after it is the message's.
func readFrom(cursor string) (last, after string) {
	last = strings.TrimPrefix(cursor, webhookPrefix)
	return last, snowflakeBefore(last, backlogOverlap)
}

// snowflakeBefore returns an id that sorts before every message created
// more than d before id's own time, or "0" (the start of the channel) when
// id is not a snowflake: a place with no cursor is read from its start,
// not from its newest page.
func snowflakeBefore(id string, d time.Duration) string {
	v, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		return "0"
	}
	ms := int64(v>>22) - d.Milliseconds()
	if ms <= 0 {
		return "0"
	}
	return strconv.FormatUint(uint64(ms)<<22, 10)
}

// cmpSnowflake orders Discord ids numerically.
func cmpSnowflake(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
