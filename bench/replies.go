package bench

import (
	"context"
	"fmt"
	"time"

	"cornershop/bots/discord/discordfake"
	"cornershop/bots/slack/slackfake"
)

// replyResult is scenario 3's figure for one platform.
type replyResult struct {
	platform string
	replies  int
	took     time.Duration // first staff reply posted -> last delivery
	ideal    time.Duration // the shortest time the published limits allow
	rate     float64       // deliveries per second
	limited  int           // 429s answered
	violated int           // calls made inside an announced retry window
	limit    string        // the limit that binds, as published
}

// fraction is the share of the platform's limit the relay used: the time
// the published limits require for this fan-out over the time it took.
func (r replyResult) fraction() float64 {
	if r.took <= 0 {
		return 0
	}
	if r.ideal <= 0 {
		return 1
	}
	return r.ideal.Seconds() / r.took.Seconds()
}

// replyCustomers is who scenario 3 answers, by platform; seqs are
// consecutive: Telegram first, then Slack, then Discord.
type replyCustomers struct {
	telegram, slack, discord int
	slackIn                  []slackfake.Channel // the Slack customer's Slack Connect channel, by Slack index
	slackUsers               []slackfake.User
	discordUsers             []discordfake.User
	discordDMs               []discordfake.Channel
}

func (r *rig) replyCustomers(n, channels int) *replyCustomers {
	c := &replyCustomers{telegram: n / 3, discord: n / 3}
	c.slack = n - c.telegram - c.discord
	r.customers(c.telegram)
	perChannel := (c.slack + channels - 1) / channels
	for i := range c.slack {
		c.slackUsers = append(c.slackUsers, r.sl.AddUser(fmt.Sprintf("partner%d", i), fmt.Sprintf("Partner %d", i), "", true))
	}
	for from := 0; from < c.slack; from += perChannel {
		ch := r.sl.AddChannel(fmt.Sprintf("acme-partner-%d", from/perChannel), true, c.slackUsers[from:min(from+perChannel, c.slack)]...)
		r.customerChannels = append(r.customerChannels, ch)
		for range min(perChannel, c.slack-from) {
			c.slackIn = append(c.slackIn, ch)
		}
	}
	for i := range c.discord {
		u := r.dc.AddUser(fmt.Sprintf("member%d", i), fmt.Sprintf("Member %d", i))
		c.discordUsers = append(c.discordUsers, u)
		c.discordDMs = append(c.discordDMs, r.dc.DMChannel(u))
	}
	return c
}

// interleaved lists the customers' seqs taking the platforms in turn, as a
// team answering one queue would.
func (c *replyCustomers) interleaved() []int {
	var out []int
	for i := range max(c.telegram, c.slack, c.discord) {
		if i < c.telegram {
			out = append(out, i)
		}
		if i < c.slack {
			out = append(out, c.telegram+i)
		}
		if i < c.discord {
			out = append(out, c.telegram+c.slack+i)
		}
	}
	return out
}

// write makes customer seq write their first message.
func (r *rig) write(c *replyCustomers, seq int) error {
	var err error
	switch {
	case seq < c.telegram:
		return r.send(r.tgUsers[:c.telegram], seq)
	case seq < c.telegram+c.slack:
		i := seq - c.telegram
		_, err = r.sl.Post(c.slackIn[i].ID, c.slackUsers[i], customerText(seq), "")
	default:
		i := seq - c.telegram - c.slack
		_, err = r.dc.Send(c.discordDMs[i].ID, c.discordUsers[i], customerText(seq))
	}
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	r.rec.sentAt(seq, time.Now())
	return nil
}

// runReplies is scenario 3: customers on the three platforms write once
// (the desk threads open, limits and pacing off, not measured); then the
// service restarts with pacing at the published limits, the emulators
// enforce those limits, and Alice answers every customer from the desk.
func runReplies(ctx context.Context, o Options) ([]replyResult, error) {
	r, err := newRig(ctx, o, "replies")
	if err != nil {
		return nil, err
	}
	defer r.close()
	c := r.replyCustomers(o.ReplyCustomers, o.SlackChannels)
	n := c.telegram + c.slack + c.discord
	svc, err := r.start(ctx, serviceSetup{discord: true})
	if err != nil {
		return nil, err
	}
	done := r.rec.expect(n)
	for seq := range n {
		if err := r.write(c, seq); err != nil {
			_ = svc.stop()
			return nil, err
		}
	}
	err = wait(ctx, done, o.Timeout, "replies set-up", r.rec.missing)
	if serr := svc.stop(); err == nil {
		err = serr
	}
	if err != nil {
		return nil, err
	}

	r.limits(true)
	r.rec.resetReady()
	if svc, err = r.start(ctx, serviceSetup{discord: true, pacing: true}); err != nil {
		return nil, err
	}
	defer svc.stop()
	done = r.rec.expect(n)
	began := time.Now()
	for _, seq := range c.interleaved() {
		if _, err := r.sl.Post(r.desk.ID, r.alice, replyText(seq), r.rec.threadOf(seq)); err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
	}
	if err := wait(ctx, done, o.Timeout, "replies", r.rec.missing); err != nil {
		return nil, err
	}
	return r.replyResults(c, began), nil
}

// replyResults computes each platform's figures; ideal times follow the
// emulators' enforcement of the published limits.
func (r *rig) replyResults(c *replyCustomers, began time.Time) []replyResult {
	perChannel := 0
	for _, ch := range r.customerChannels {
		n := 0
		for _, in := range c.slackIn {
			if in.ID == ch.ID {
				n++
			}
		}
		perChannel = max(perChannel, n)
	}
	sec := func(f float64) time.Duration { return time.Duration(max(f, 0) * float64(time.Second)) }
	out := []replyResult{
		{platform: "telegram", replies: c.telegram, ideal: sec(float64(c.telegram-30) / 30), violated: r.tg.Violations(),
			limit: "30 messages/s per bot (1/s per chat)"},
		{platform: "slack", replies: c.slack, ideal: sec(float64(perChannel - 4)), violated: r.sl.Violations(),
			limit: fmt.Sprintf("1 message/s per channel (bursts of 4); %d channels of ≤ %d customers", len(r.customerChannels), perChannel)},
		{platform: "discord", replies: c.discord, ideal: sec(float64(c.discord-1) / discordfake.GlobalLimit), violated: r.dc.Violations(),
			limit: "50 requests/s per bot (5 per 5 s per channel)"},
	}
	r.rec.mu.Lock()
	defer r.rec.mu.Unlock()
	// Discord's limit is on requests: the ideal counts every request made
	// while the replies went out (the restart's history reads before them
	// are not theirs).
	requests := 0
	if at := r.rec.replies["discord"]; len(at) > 0 {
		for _, t := range r.rec.discordCalls {
			if !t.Before(began) && !t.After(at[len(at)-1]) {
				requests++
			}
		}
	}
	out[2].ideal = sec(float64(requests-1) / discordfake.GlobalLimit)
	out[2].limit = fmt.Sprintf("50 requests/s per bot (%d requests for %d replies)", requests, c.discord)
	for i := range out {
		at := r.rec.replies[out[i].platform]
		out[i].limited = r.rec.limited[out[i].platform]
		if len(at) == 0 {
			continue
		}
		last := at[0]
		for _, t := range at {
			if t.After(last) {
				last = t
			}
		}
		out[i].took = last.Sub(began)
		out[i].rate = float64(len(at)) / out[i].took.Seconds()
	}
	return out
}
