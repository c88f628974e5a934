package discord

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"

	"cornershop/core"
)

// Discord pushes gateway events once, to whichever session is connected;
// a fresh session (IDENTIFY after a restart, or after another replica took
// the connection over, since discordgo cannot resume a session another
// process opened) never receives what was written while nobody listened.
// So after each READY the adapter asks the inbox how far its record of
// each place goes (core.HistoryInbox) and fetches the rest with
// GET /channels/{id}/messages?after=…, as Discord documents for catching
// up; the inbox drops what it already has. It does so before handling any
// live event (events are handled in order, SyncEvents), so per-channel
// order holds. Channels it has no mark for — a DM a new customer opened,
// a thread started meanwhile — are caught up the first time they are
// heard from, after the newest message recorded anywhere when the session
// began. Edits, deletes and reactions made while nobody listened are not
// recovered: Discord keeps no history of them.

// backfillWindow bounds the catch-up to places active this recently.
const backfillWindow = 7 * 24 * time.Hour

// catchUpParallel is how many channels are caught up at once. Live
// events wait meanwhile (and so do heartbeat acknowledgements: discordgo
// reconnects after five missed ones, about 200 s on Discord), so a large
// catch-up must not run one request at a time.
const catchUpParallel = 8

// backfillPages bounds the pages of 100 fetched per channel.
const backfillPages = 20

// catchup is one session's catch-up state.
type catchup struct {
	mu    sync.Mutex
	done  map[string]bool // channels caught up in this session
	floor string          // newest recorded message id at READY ("" none)
}

// onReady catches up every place the inbox has a mark for, then the
// configured community channels, before live events are handled.
func (b *Bot) onReady(ctx context.Context) {
	b.catchup.Store(nil)
	hi, ok := b.in.Load().Inbox.(core.HistoryInbox)
	if !ok {
		return
	}
	start := time.Now()
	marks, err := hi.Marks(ctx, core.Discord, start.Add(-backfillWindow))
	if err != nil {
		b.o.Logger.Warn("discord catch-up: no marks; messages written while disconnected may be missing", "err", err)
		return
	}
	after := map[string]string{} // channel -> fetch after this id
	var order []string
	floor := ""
	for _, m := range marks {
		if m.ID != "" && (floor == "" || older(floor, m.ID)) {
			floor = m.ID
		}
	}
	cu := &catchup{done: map[string]bool{}, floor: floor}
	b.catchup.Store(cu)
	if floor == "" {
		return // nothing recorded yet: no history to catch up with
	}
	for _, m := range marks {
		ch, id := target(m.Place), m.ID
		if id == "" {
			// Nothing received there yet: whatever is newer than the
			// newest message recorded anywhere was missed.
			id = floor
		}
		if prev, seen := after[ch]; !seen {
			order = append(order, ch)
			after[ch] = id
		} else if older(id, prev) {
			after[ch] = id
		}
	}
	for _, ch := range b.o.CommunityChannels {
		if _, seen := after[ch]; !seen {
			order = append(order, ch)
			after[ch] = floor
		}
	}
	// Channels are independent: a few at a time, each in order.
	var n atomic.Int64
	var wg sync.WaitGroup
	sem := make(chan struct{}, catchUpParallel)
	for _, ch := range order {
		select {
		case <-ctx.Done():
		case sem <- struct{}{}:
			wg.Go(func() {
				defer func() { <-sem }()
				n.Add(int64(b.catchUp(ctx, cu, ch, after[ch])))
			})
		}
	}
	wg.Wait()
	b.o.Logger.Info("discord catch-up done", "channels", len(order), "messages", n.Load(), "took", time.Since(start).Round(time.Millisecond))
}

// heard catches up a channel the session had no mark for, the first time
// a message arrives there.
func (b *Bot) heard(ctx context.Context, channelID string) {
	cu := b.catchup.Load()
	if cu == nil || cu.floor == "" {
		return
	}
	cu.mu.Lock()
	done := cu.done[channelID]
	cu.mu.Unlock()
	if !done {
		b.catchUp(ctx, cu, channelID, cu.floor)
	}
}

// catchUp hands the messages of channelID after id to the inbox, oldest
// first, and returns how many it fetched.
func (b *Bot) catchUp(ctx context.Context, cu *catchup, channelID, id string) int {
	cu.mu.Lock()
	cu.done[channelID] = true
	cu.mu.Unlock()
	_, _, guild, err := b.channel(ctx, channelID)
	if err != nil {
		b.o.Logger.Warn("discord catch-up: channel unavailable", "channel", channelID, "err", err)
		return 0
	}
	n := 0
	for range backfillPages {
		page, err := b.history(ctx, channelID, id)
		if err != nil {
			b.o.Logger.Warn("discord catch-up: history unavailable", "channel", channelID, "err", err)
			return n
		}
		// Newest first, the oldest page after id: hand it over oldest first.
		slices.SortFunc(page, func(x, y *discordgo.Message) int { return cmpID(x.ID, y.ID) })
		for _, m := range page {
			id = m.ID
			m.GuildID = guild // REST messages carry no guild_id
			if _, _, cmd := commandOf(m.Content); cmd && guild == "" {
				continue // answered then or not, a command is not answered late
			}
			b.deliverIn(ctx, "message", b.onMessage(ctx, m))
		}
		n += len(page)
		if len(page) < 100 {
			return n
		}
	}
	b.o.Logger.Warn("discord catch-up: stopped at the page limit", "channel", channelID, "messages", n)
	return n
}

// history fetches one page, waiting out rate limits a few times.
func (b *Bot) history(ctx context.Context, channelID, after string) ([]*discordgo.Message, error) {
	for attempt := 0; ; attempt++ {
		page, err := b.s.ChannelMessages(channelID, 100, "", after, "", discordgo.WithContext(ctx))
		var rl *discordgo.RateLimitError
		if !errors.As(err, &rl) || attempt == 5 {
			if err != nil {
				return nil, b.classify("message history", err)
			}
			return page, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(rl.RetryAfter):
		}
	}
}

// older reports whether snowflake a was made before b.
func older(a, b string) bool { return cmpID(a, b) < 0 }

// cmpID orders snowflakes (decimal strings) numerically.
func cmpID(a, b string) int {
	x, errA := strconv.ParseUint(a, 10, 64)
	y, errB := strconv.ParseUint(b, 10, 64)
	if errA != nil || errB != nil {
		switch {
		case len(a) != len(b):
			return len(a) - len(b)
		case a < b:
			return -1
		case a > b:
			return 1
		}
		return 0
	}
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}
