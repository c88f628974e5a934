package discord

import (
	"context"
	"errors"
	"strconv"
	"time"

	"cornershop/core"
)

// Discord pushes each event once. A message the adapter received but could
// not record (the database down or full, the lock on the gateway lost while
// it was being recorded) is remembered here: per channel, the oldest such
// message id. Until it is caught up, the channel's history is read back
// from that id — by the next live message there, by a retry loop while the
// gateway is held, and after every new or resumed session — and live
// messages there are not handed in on their own, so the channel's order
// holds. The record survives the loss and regain of the gateway's lock
// (one Bot, several Runs); a process that stops forgets it, and its next
// session reads back from the newest record (backlog.go).

// missedRetry is how often the retry loop reads back channels with
// unrecorded messages while nothing else does.
const (
	missedRetryMin = time.Second
	missedRetryMax = 15 * time.Second
)

// errNotRecorded is a message read back that could not be recorded.
var errNotRecorded = errors.New("discord: message not recorded")

// missedAt is the oldest unrecorded message of a channel, and where it is.
type missedAt struct {
	place core.Place
	id    string
}

// miss remembers that message id in place could not be recorded, keeping
// the channel's oldest such id.
func (b *Bot) miss(place core.Place, id string) {
	ch := target(place)
	b.mu.Lock()
	defer b.mu.Unlock()
	if old, ok := b.missed[ch]; ok && cmpSnowflake(old.id, id) <= 0 {
		return
	}
	b.missed[ch] = missedAt{place: place, id: id}
	select {
	case b.missedWake <- struct{}{}:
	default:
	}
}

// missing reports whether channel has a message not yet caught up.
func (b *Bot) missing(channel string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	_, ok := b.missed[channel]
	return ok
}

// missedChannels lists the channels with unrecorded messages.
func (b *Bot) missedChannels() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]string, 0, len(b.missed))
	for ch := range b.missed {
		out = append(out, ch)
	}
	return out
}

// catchUpMissed reads channel back from its oldest unrecorded message and
// forgets it once everything read was recorded. One catch-up runs at a
// time. It reports whether the channel is caught up and, if so, the
// newest message id the history read handed in ("" when the channel was
// caught up by another reader meanwhile).
func (b *Bot) catchUpMissed(ctx context.Context, channel string) (bool, string) {
	b.catching.Lock()
	defer b.catching.Unlock()
	b.mu.Lock()
	m, ok := b.missed[channel]
	b.mu.Unlock()
	if !ok {
		return true, ""
	}
	n, through, err := b.readBack(ctx, core.Cursor{Place: m.place, Last: snowflakeJustBefore(m.id)}, "")
	if err != nil {
		switch class, _ := core.Classify(err); {
		case ctx.Err() != nil || errors.Is(err, errNotRecorded):
		case class == core.ClassPermanent:
			// The channel cannot be read (gone, or no access): reading
			// it again would fail the same way.
			b.o.Logger.Error("discord: unrecorded messages cannot be read back; dropped", "channel", channel, "message", m.id, "err", err)
			b.mu.Lock()
			delete(b.missed, channel)
			b.mu.Unlock()
			return true, ""
		default:
			b.o.Logger.Warn("discord: cannot read back a channel with unrecorded messages", "channel", channel, "message", m.id, "err", err)
		}
		return false, ""
	}
	b.mu.Lock()
	// Live messages of the channel wait for this catch-up rather than
	// being recorded, so nothing newer was left unrecorded meanwhile; an
	// older one, noted by another reader, stays to be read.
	if now, ok := b.missed[channel]; ok && cmpSnowflake(now.id, m.id) >= 0 {
		delete(b.missed, channel)
	}
	b.mu.Unlock()
	b.o.Logger.Info("discord: caught up unrecorded messages", "channel", channel, "message", m.id, "read", n)
	return true, through
}

// catchUpAllMissed reads back every channel with unrecorded messages and
// reports whether all are caught up.
func (b *Bot) catchUpAllMissed(ctx context.Context) bool {
	all := true
	for _, ch := range b.missedChannels() {
		if ctx.Err() != nil {
			return false
		}
		ok, _ := b.catchUpMissed(ctx, ch)
		all = ok && all
	}
	return all
}

// retryMissed catches up unrecorded messages until ctx ends, soon after
// one is noted and then backing off while the store keeps failing.
func (b *Bot) retryMissed(ctx context.Context) {
	wait := missedRetryMin
	for {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-b.missedWake:
			t.Stop()
			select { // give the failing store a moment
			case <-ctx.Done():
				return
			case <-time.After(missedRetryMin):
			}
		case <-t.C:
		}
		if b.catchUpAllMissed(ctx) {
			wait = missedRetryMin
		} else {
			wait = min(wait*2, missedRetryMax)
		}
	}
}

// snowflakeJustBefore is the id before id, as a cursor reading from id on.
func snowflakeJustBefore(id string) string {
	v, err := strconv.ParseUint(id, 10, 64)
	if err != nil || v == 0 {
		return ""
	}
	return strconv.FormatUint(v-1, 10)
}
